"""The app store's Celery tasks by name, for services to queue them (`portal.queue`)
without importing `appstore.tasks`, which imports the services: the arrows stay one-way."""

MAKE_THUMBNAIL = "appstore.tasks.make_thumbnail"
ANNOUNCE_PUBLICATION = "appstore.tasks.announce_publication"
ANNOUNCE_REQUIRED = "appstore.tasks.announce_required"

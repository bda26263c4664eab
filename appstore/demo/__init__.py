"""Demo catalogue: about 40 apps from several departments, versions in every state.

Everything goes through the services, as the people would do it: icons and screenshots
drawn with Pillow, one real (tiny) Android package, ratings and installations by the demo
staff, and a listing change waiting for review. Apps are keyed on their name, so a second
run adds nothing.
"""

from appstore.demo.catalogue import seed

__all__ = ["seed"]

"""`/api/v1/` endpoints of the device fleet."""

urlpatterns: list = []

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.models import Department, User


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "code", "cost_centre", "parent"]


class MeSerializer(serializers.ModelSerializer):
    department = DepartmentSerializer(read_only=True)
    line_manager = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    full_name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "email",
            "employee_number",
            "job_title",
            "department",
            "line_manager",
            "work_pattern",
            "preferred_language",
            "roles",
            "is_staff",
        ]
        read_only_fields = fields

    def get_line_manager(self, user) -> dict | None:
        manager = user.line_manager
        if manager is None:
            return None
        return {"id": manager.pk, "username": manager.username, "full_name": str(manager)}

    def get_roles(self, user) -> list[str]:
        return sorted(group.name for group in user.groups.all())


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


class InvalidSerializer(serializers.Serializer):
    """The one error form of a 400: the first message, a code, and every message by field."""

    detail = serializers.CharField()
    code = serializers.CharField()

    def get_fields(self):
        # "fields" is a Serializer attribute, so that field is added here, not declared.
        fields = super().get_fields()
        fields["fields"] = serializers.DictField(
            child=serializers.JSONField(), help_text=_("Messages by field name.")
        )
        return fields


class EventSerializer(serializers.Serializer):
    actor = serializers.SerializerMethodField()
    from_state = serializers.CharField(read_only=True)
    to_state = serializers.CharField(read_only=True)
    comment = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)

    def get_actor(self, event) -> str | None:
        actor = event.actor
        if actor is None:
            return None
        return actor.get_full_name() or actor.username

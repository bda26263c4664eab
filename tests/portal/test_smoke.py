import pytest

pytestmark = pytest.mark.django_db


def test_home_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_employee_sees_their_department_on_home(client_for, employee):
    response = client_for(employee).get("/")
    assert response.status_code == 200
    assert employee.department.name in response.content.decode()

"""Django TestCase for the views: assertions on statuses and headers only."""
from django.test import TestCase
from django.urls import reverse


class AuthTests(TestCase):
    def test_profile_requires_login(self):
        response = self.client.get(reverse("profile"))
        self.assertEqual(response.status_code, 401)

    def test_token_view_challenges(self):
        response = self.client.get(reverse("api-token"))
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response["WWW-Authenticate"], 'Token realm="api"')

    def test_invoices_forbidden_without_permission(self):
        self.client.force_login(self.make_user())
        response = self.client.get(reverse("invoices"))
        self.assertIn(response.status_code, (401, 403))

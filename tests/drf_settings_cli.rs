//! Django REST framework answers an authentication class's 401 with the
//! challenge of the first class in `DEFAULT_AUTHENTICATION_CLASSES`; with
//! `SessionAuthentication` first it sends 403: real processes.

mod cli_support;
use cli_support::*;

const SETTINGS: &str = r#"INSTALLED_APPS = ["rest_framework", "shop"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": (
        "rest_framework.authentication.SessionAuthentication",
        "shop.authentication.ApiTokenAuthentication",
    ),
}
"#;

const AUTHENTICATION: &str = r#"import logging

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from shop.models import ApiToken

log = logging.getLogger(__name__)


class ApiTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        try:
            token = ApiToken.objects.get(key=key)
        except ApiToken.DoesNotExist:
            log.info("unknown api token")
            raise exceptions.AuthenticationFailed("Invalid token")
        return token.user, token
"#;

fn findings(dir: &std::path::Path) -> Vec<(String, String)> {
    paths_and_rules(&run(dir, &["lint", "--format", "json"]).json())
}

#[test]
fn a_token_class_listed_after_session_authentication_answers_403() {
    let p = project(&[
        ("pyproject.toml", "[project]\nname = \"shop\"\n"),
        (
            "manage.py",
            "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
        ),
        ("shop/__init__.py", ""),
        ("shop/settings.py", SETTINGS),
        ("shop/authentication.py", AUTHENTICATION),
    ]);
    let out = run(p.path(), &["lint", "--format", "json"]).json();
    assert_eq!(
        paths_and_rules(&out),
        vec![(
            "shop/authentication.py".to_string(),
            "prefer-401-for-authentication".to_string()
        )]
    );
    let related = out["diagnostics"][0]["related"].as_array().unwrap();
    let settings = related
        .iter()
        .find(|r| r["path"] == "shop/settings.py")
        .unwrap_or_else(|| panic!("{related:?}"));
    // The `SessionAuthentication` entry, in the other file.
    assert_eq!(settings["range"]["start"]["line"], 5, "{settings}");
    assert_eq!(settings["range"]["start"]["column"], 9, "{settings}");

    // With the token class first, DRF sends its 401 and its challenge.
    write(
        p.path(),
        "shop/settings.py",
        &SETTINGS.replace(
            "        \"rest_framework.authentication.SessionAuthentication\",\n        \"shop.authentication.ApiTokenAuthentication\",\n",
            "        \"shop.authentication.ApiTokenAuthentication\",\n        \"rest_framework.authentication.SessionAuthentication\",\n",
        ),
    );
    assert_eq!(findings(p.path()), vec![]);
}

#[test]
fn a_class_that_takes_its_own_failures_back_answers_nothing() {
    let lenient = AUTHENTICATION.replace(
        "    def authenticate_credentials(self, key):",
        "    def authenticate(self, request):\n        try:\n            return super().authenticate(request)\n        except exceptions.AuthenticationFailed:\n            return None\n\n    def authenticate_credentials(self, key):",
    );
    let p = project(&[
        ("pyproject.toml", "[project]\nname = \"shop\"\n"),
        ("shop/__init__.py", ""),
        ("shop/settings.py", SETTINGS),
        ("shop/authentication.py", &lenient),
    ]);
    assert_eq!(findings(p.path()), vec![]);
}

/// A key class of its own, with no `authenticate_header`.
const KEY_AUTHENTICATION: &str = r#"from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed

from shop.models import ApiKey


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        key = request.headers.get("X-Api-Key")
        if not key:
            return None
        try:
            api_key = ApiKey.objects.get(key=key)
        except ApiKey.DoesNotExist:
            raise AuthenticationFailed("Given API key is not valid")
        return api_key.user, api_key
"#;

const VIEWS: &str = r#"from rest_framework.views import APIView

from shop.api.authentication import ApiKeyAuthentication


class OrdersView(APIView):
    authentication_classes = [ApiKeyAuthentication]
"#;

#[test]
fn a_class_without_a_challenge_listed_first_by_a_view_answers_403() {
    let p = project(&[
        ("pyproject.toml", "[project]\nname = \"shop\"\n"),
        ("shop/__init__.py", ""),
        ("shop/api/__init__.py", ""),
        ("shop/api/authentication.py", KEY_AUTHENTICATION),
        ("shop/api/views.py", VIEWS),
    ]);
    assert!(findings(p.path()).contains(&(
        "shop/api/authentication.py".to_string(),
        "prefer-401-for-authentication".to_string()
    )));

    // With `authenticate_header`, DRF sends the 401 and that challenge.
    write(
        p.path(),
        "shop/api/authentication.py",
        &format!("{KEY_AUTHENTICATION}\n    def authenticate_header(self, request):\n        return 'ApiKey realm=\"shop\"'\n"),
    );
    assert!(!findings(p.path())
        .iter()
        .any(|(_, r)| r == "prefer-401-for-authentication"));

    // A class of the same name in another module is not the one the view lists.
    let p = project(&[
        ("pyproject.toml", "[project]\nname = \"shop\"\n"),
        ("shop/__init__.py", ""),
        ("shop/legacy/__init__.py", ""),
        ("shop/legacy/authentication.py", KEY_AUTHENTICATION),
        ("shop/api/__init__.py", ""),
        (
            "shop/api/authentication.py",
            "from rest_framework import authentication\n",
        ),
        ("shop/api/views.py", VIEWS),
    ]);
    assert!(!findings(p.path())
        .iter()
        .any(|(_, r)| r == "prefer-401-for-authentication"));
}

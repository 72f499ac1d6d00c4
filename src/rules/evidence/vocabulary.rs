//! The words and phrases the evidence looks for: in messages (authorization,
//! authentication), in guarding conditions (by strength), in verification
//! errors and in the names of functions that authenticate.

/// Phrases in a message that mean "known caller, not allowed".
pub(super) const AUTHZ_MESSAGE: &[&str] = &[
    "forbidden",
    "permission",
    "not allowed",
    "admin only",
    "admins only",
    "admin access",
    "admin required",
    "requires admin",
    "insufficient",
    "not permitted",
    "prohibited",
    "banned",
    "suspended",
    "not authorized to",
    "not authorised to",
    "don't have access",
    "do not have access",
    "does not have access",
    "no access to",
    "not the owner",
    "only the owner",
    "not your",
    "not a member",
    "does not belong",
    "doesn't belong",
    "role",
    "scope",
    "upgrade your plan",
    "subscription required",
];

/// Phrases in a message that mean "we don't know who you are".
pub(super) const AUTHN_MESSAGE: &[&str] = &[
    "not authenticated",
    "unauthenticated",
    "authentication required",
    "authentication failed",
    "missing token",
    "no token",
    "token missing",
    "token is missing",
    "token required",
    "token expired",
    "expired token",
    "token has expired",
    "invalid token",
    "token is invalid",
    "invalid or expired",
    "bad token",
    "jwt expired",
    "jwt malformed",
    "invalid jwt",
    "missing jwt",
    "login required",
    "please log in",
    "please login",
    "please sign in",
    "not logged in",
    "missing authorization",
    "no authorization",
    "authorization header",
    "auth header",
    "invalid credentials",
    "bad credentials",
    "missing credentials",
    "session expired",
    "no session",
    "invalid session",
    "missing api key",
    "invalid api key",
    "api key required",
    "missing bearer",
    "could not validate credentials",
    "must login",
    "must log in",
    "must be logged in",
    "must be authenticated",
    "must sign in",
    "must be signed in",
    "need to log in",
    "need to sign in",
    "authentication_required",
    "could not validate token",
    "invalid authentication credentials",
    "token has already been used",
    "token already used",
    "token has been revoked",
    "token revoked",
];

/// Identifier fragments in a condition that test permissions.
pub(super) const AUTHZ_GUARD: &[&str] = &[
    "role",
    "isadmin",
    "is_admin",
    "admin",
    "permission",
    "can(",
    "cannot(",
    "hasrole",
    "has_role",
    "haspermission",
    "has_perm",
    "scope",
    "isowner",
    "is_owner",
    "ismember",
    "is_member",
    "hasmember",
    "has_member",
    "membership",
    "tenant",
    "org_id",
    "orgid",
    "team",
    "plan",
    "subscription",
    "tier",
    "is_staff",
    "isstaff",
    "is_superuser",
    "superuser",
    "groups",
    "acl",
    "canaccess",
    "can_access",
    "entitle",
    "suspended",
    "allowed",
    "allow_",
];

/// Condition fragments that test the request's credential itself: its
/// header, its scheme, a key, or the identity the framework attaches once
/// it is verified. Enough on their own.
pub(super) const AUTHN_GUARD_STRONG: &[&str] = &[
    "authheader",
    "auth_header",
    "authorization",
    "bearer",
    "jwt",
    "apikey",
    "api_key",
    "api-key",
    "credential",
    "!session",
    "notsession",
    "session is none",
    "session==null",
    "!req.user",
    "!request.user",
    // express-jwt (v7+) puts the verified payload on `req.auth`.
    "!req.auth",
    "!currentuser",
    "!current_user",
    "current_user is none",
    "!req.isauthenticated",
    "is_anonymous",
    "isanonymous",
];

/// Fragments that name what a verification leaves behind: likely, not certain.
pub(super) const AUTHN_GUARD_MEDIUM: &[&str] = &["!claims", "!payload", "!decoded", "!auth"];

/// Words that are about credentials only sometimes: a `user` looked up by
/// id, a `token` that is an invitation, a resource or an OAuth state, an
/// `expired` link. Alone they are a guess.
pub(super) const AUTHN_GUARD_WEAK: &[&str] = &[
    "token",
    "expired",
    "signature",
    "!user",
    "user is none",
    "not user",
    "user==null",
];

/// Exceptions that a failed credential verification raises, lower-cased:
/// an `except` (Python) naming one of them is about the credential.
pub(super) const VERIFICATION_ERRORS: &[&str] = &[
    "invalidtokenerror",
    "expiredsignatureerror",
    "invalidsignatureerror",
    "decodeerror",
    "pyjwterror",
    "jwterror",
    "jwserror",
    "jwtclaimserror",
    "badsignature",
    "signatureexpired",
    "invalidtoken",
    "tokenerror",
    "authenticationfailed",
    "notauthenticated",
    "invalidauthorization",
];

/// Fragments of an error class's or helper's name (lower-cased) that say
/// the author meant a failed authentication: `InvalidAuthenticationError`,
/// `NotAuthenticated`, `InvalidTokenError`. `Unauthorized` says nothing: it
/// is the reason phrase of 401, used for both.
pub(super) const AUTHN_CALLEE: &[&str] = &[
    "authenticat",
    "invalidtoken",
    "tokenexpired",
    "expiredtoken",
    "invalidcredential",
    "badcredential",
    "loginrequired",
    "notloggedin",
    "invalidsession",
    "sessionexpired",
    "invalidapikey",
];

/// Fragments that name an anti-forgery (CSRF) check: its token is not the
/// request's credential, and 403 is the usual answer.
pub(super) const FORGERY: &[&str] = &["csrf", "xsrf", "forgery"];

/// Words that tie a message to credentials or identity: with any of them
/// the 401 may well be right, and nothing is said.
pub const CREDENTIAL_WORDS: &[&str] = &[
    "token",
    "auth",
    "credential",
    "password",
    "passwd",
    "login",
    "log in",
    "sign in",
    "signin",
    "sign-in",
    "session",
    "key",
    "jwt",
    "bearer",
    "cookie",
    "user",
    "account",
    "identity",
    "principal",
    "signature",
    "secret",
    "otp",
    "code",
];

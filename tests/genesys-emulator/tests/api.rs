//! The emulator against shared/facts/genesys.md: paths, JSON names, status codes, secret
//! visibility (§3.4), delete semantics (§3.5), ErrorBody (§3.7), token endpoint (§4), 429 (§5).

use genesys_emulator::{Emulator, Fault, Handle, Options, TokenRefusal};
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const ADMIN_ID: &str = "admin-client-id";
const ADMIN_SECRET: &str = "admin-secret-VALUE-0123456789";

/// reqwest is built workspace-wide without a bundled crypto provider (tfguard installs ring
/// in `main`), so a client here installs the same one first, even for plain http.
fn client_builder() -> reqwest::blocking::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
}

struct Env {
    emu: Handle,
    http: Client,
    token: String,
}

impl Env {
    fn start() -> Env {
        let emu = Emulator::start(Options::default().admin(ADMIN_ID, ADMIN_SECRET)).unwrap();
        let http = client_builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap();
        let resp = token_request(&http, &emu.base_url(), ADMIN_ID, ADMIN_SECRET);
        assert_eq!(resp.status(), 200);
        let token = resp.json::<Value>().unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        Env { emu, http, token }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.base_url())
    }

    fn get(&self, path: &str) -> RequestBuilder {
        self.http.get(self.url(path)).bearer_auth(&self.token)
    }
    fn post(&self, path: &str, body: &Value) -> RequestBuilder {
        self.http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .json(body)
    }
    fn put(&self, path: &str, body: &Value) -> RequestBuilder {
        self.http
            .put(self.url(path))
            .bearer_auth(&self.token)
            .json(body)
    }
    fn delete(&self, path: &str) -> RequestBuilder {
        self.http.delete(self.url(path)).bearer_auth(&self.token)
    }

    /// Create a client; returns the response JSON (with secret).
    fn create(&self, body: &Value) -> Value {
        let resp = self.post("/api/v2/oauth/clients", body).send().unwrap();
        assert_eq!(resp.status(), 200, "create answers 200, not 201 (§3.6)");
        resp.json().unwrap()
    }
}

fn token_request(http: &Client, base: &str, id: &str, secret: &str) -> Response {
    http.post(format!("{base}/oauth/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .unwrap()
}

fn cc_client(name: &str) -> Value {
    json!({
        "name": name,
        "description": "machine client",
        "authorizedGrantType": "CLIENT-CREDENTIALS",
        "roleDivisions": [{ "roleId": "r-1", "divisionId": "*" }],
    })
}

/// Status, `ININ-Correlation-Id`, and the `ErrorBody` (checked for its required shape).
fn error_body(resp: Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let corr = resp
        .headers()
        .get("ININ-Correlation-Id")
        .expect("ININ-Correlation-Id header")
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(resp.headers()["content-type"], "application/json");
    let body: Value = resp.json().unwrap();
    assert_eq!(body["status"], status);
    assert_eq!(body["contextId"], corr.as_str());
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(body["code"].is_string());
    assert!(body["details"].is_array() && body["errors"].is_array());
    (status, body)
}

#[test]
fn token_endpoint_basic_auth_client_credentials() {
    let env = Env::start();
    let base = env.emu.base_url();
    let resp = token_request(&env.http, &base, ADMIN_ID, ADMIN_SECRET);
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let body: Value = resp.json().unwrap();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 86400);
    assert!(body["access_token"].as_str().unwrap().len() >= 32);

    // Wrong secret, unknown client, no Basic header: 401 invalid_client.
    for resp in [
        token_request(&env.http, &base, ADMIN_ID, "wrong"),
        token_request(&env.http, &base, "nobody", ADMIN_SECRET),
        env.http
            .post(format!("{base}/oauth/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", ADMIN_ID),
                ("client_secret", ADMIN_SECRET),
            ])
            .send()
            .unwrap(),
    ] {
        assert_eq!(resp.status(), 401);
        let body: Value = resp.json().unwrap();
        assert_eq!(body["error"], "invalid_client");
        assert!(body["error_description"].is_string() && body["description"].is_string());
    }

    let send = |form: &[(&str, &str)]| {
        env.http
            .post(format!("{base}/oauth/token"))
            .basic_auth(ADMIN_ID, Some(ADMIN_SECRET))
            .form(form)
            .send()
            .unwrap()
    };
    let resp = send(&[]);
    assert_eq!(resp.status(), 400);
    assert_eq!(resp.json::<Value>().unwrap()["error"], "invalid_request");
    let resp = send(&[("grant_type", "password")]);
    assert_eq!(resp.status(), 400);
    assert_eq!(
        resp.json::<Value>().unwrap()["error"],
        "unsupported_grant_type"
    );

    // The token endpoint lives at /oauth/token on the login host, not under /api/v2 (§4.1).
    let resp = env
        .http
        .post(format!("{base}/api/v2/oauth/token"))
        .basic_auth(ADMIN_ID, Some(ADMIN_SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .unwrap();
    let (status, err) = error_body(resp);
    assert_eq!(
        (status, err["code"].as_str()),
        (404, Some("not.found")),
        "the tutorial's token URL"
    );

    // A JSON body is not what the SDKs send.
    let resp = env
        .http
        .post(format!("{base}/oauth/token"))
        .basic_auth(ADMIN_ID, Some(ADMIN_SECRET))
        .json(&json!({ "grant_type": "client_credentials" }))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 400);
}

#[test]
fn api_calls_require_a_valid_bearer_token() {
    let env = Env::start();
    let resp = env
        .http
        .get(env.url("/api/v2/oauth/clients"))
        .send()
        .unwrap();
    let (status, body) = error_body(resp);
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("authentication.required"))
    );

    let resp = env
        .http
        .get(env.url("/api/v2/oauth/clients"))
        .bearer_auth("forged")
        .send()
        .unwrap();
    let (status, body) = error_body(resp);
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("bad.credentials"))
    );

    let resp = env
        .http
        .get(env.url("/api/v2/oauth/clients"))
        .basic_auth(ADMIN_ID, Some(ADMIN_SECRET))
        .send()
        .unwrap();
    assert_eq!(
        resp.status(),
        401,
        "Basic credentials are for the token endpoint only"
    );

    assert_eq!(
        env.get("/api/v2/oauth/clients").send().unwrap().status(),
        200
    );
    env.emu.expire_tokens();
    let (status, body) = error_body(env.get("/api/v2/oauth/clients").send().unwrap());
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("credentials.expired"))
    );
}

#[test]
fn create_returns_200_with_secret_and_real_field_names() {
    let env = Env::start();
    let resp = env
        .post(
            "/api/v2/oauth/clients",
            &json!({
                "name": "app",
                "authorizedGrantType": "CODE",
                "registeredRedirectUri": ["https://app.example.com/cb"],
                "scope": ["users:readonly"],
                // Not part of OAuthClientRequest (§3.2): the caller cannot choose the secret.
                "secret": "chosen-by-caller",
            }),
        )
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().contains_key("ININ-Correlation-Id"));
    let body: Value = resp.json().unwrap();
    let id = body["id"].as_str().unwrap();
    assert_eq!(id.len(), 36, "UUID id");
    assert_eq!(body["selfUri"], format!("/api/v2/oauth/clients/{id}"));
    assert_eq!(
        body["accessTokenValiditySeconds"], 86400,
        "default 24h (§3.2)"
    );
    assert_eq!(body["state"], "active");
    assert_eq!(body["authorizedGrantType"], "CODE");
    assert_eq!(
        body["registeredRedirectUri"],
        json!(["https://app.example.com/cb"])
    );
    assert_eq!(body["scope"], json!(["users:readonly"]));
    assert_eq!(body["roleDivisions"], json!([]));
    assert!(body["dateCreated"].as_str().unwrap().ends_with('Z'));
    assert!(body["dateModified"].is_string());
    assert_eq!(body["createdBy"]["id"], ADMIN_ID);
    let secret = body["secret"].as_str().unwrap();
    assert_ne!(secret, "chosen-by-caller");
    assert!(secret.len() >= 32);

    let stored = env.emu.clients();
    assert_eq!(
        stored.len(),
        1,
        "the admin client is not listed by clients()"
    );
    assert_eq!(stored[0].id, id);
    assert_eq!(stored[0].secret.expose(), secret);
    assert!(
        !format!("{:?}", stored[0]).contains(secret),
        "Debug hides the secret"
    );
}

#[test]
fn get_list_and_put_never_return_the_secret() {
    let env = Env::start();
    let created = env.create(&cc_client("worker"));
    let id = created["id"].as_str().unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();

    let text = env
        .get(&format!("/api/v2/oauth/clients/{id}"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["name"], "worker");
    assert_eq!(
        body["roleDivisions"],
        json!([{ "roleId": "r-1", "divisionId": "*" }])
    );
    assert!(body.get("secret").is_none() && !text.contains(&secret));

    let text = env
        .get("/api/v2/oauth/clients")
        .send()
        .unwrap()
        .text()
        .unwrap();
    let list: Value = serde_json::from_str(&text).unwrap();
    assert!(
        !text.contains(&secret) && !text.contains(ADMIN_SECRET) && !text.contains("\"secret\"")
    );
    for key in [
        "entities",
        "pageSize",
        "pageNumber",
        "total",
        "firstUri",
        "lastUri",
        "selfUri",
        "pageCount",
    ] {
        assert!(list.get(key).is_some(), "listing field {key}");
    }
    let names: Vec<&str> = list["entities"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["name"].as_str())
        .collect();
    assert!(names.contains(&"worker"));
    assert_eq!(
        list["total"], 2,
        "the admin client is an OAuth client of the org too"
    );

    let resp = env
        .put(
            &format!("/api/v2/oauth/clients/{id}"),
            &json!({
                "name": "worker",
                "description": "changed",
                "authorizedGrantType": "CLIENT-CREDENTIALS",
                "accessTokenValiditySeconds": 3600,
                "state": "inactive",
            }),
        )
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    let text = resp.text().unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    assert!(body.get("secret").is_none() && !text.contains(&secret));
    assert_eq!(body["description"], "changed");
    assert_eq!(body["accessTokenValiditySeconds"], 3600);
    assert_eq!(body["state"], "inactive");
    assert_eq!(
        body["roleDivisions"],
        json!([]),
        "PUT replaces the whole client"
    );
    assert_eq!(body["dateCreated"], created["dateCreated"]);
    assert_eq!(
        env.emu.clients()[0].secret.expose(),
        secret,
        "PUT keeps the secret"
    );

    let resp = env
        .put("/api/v2/oauth/clients/no-such-id", &cc_client("x"))
        .send()
        .unwrap();
    assert_eq!(error_body(resp).1["code"], "not.found");
}

#[test]
fn listing_pages_when_asked() {
    let env = Env::start();
    for n in ["a", "b", "c"] {
        env.create(&cc_client(n));
    }
    let list: Value = env
        .get("/api/v2/oauth/clients")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        list["entities"].as_array().unwrap().len(),
        4,
        "no params: one page holds all"
    );
    assert_eq!(list["pageCount"], 1);
    assert!(list.get("nextUri").is_none());

    let page: Value = env
        .get("/api/v2/oauth/clients?pageSize=3&pageNumber=1")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(page["entities"].as_array().unwrap().len(), 3);
    assert_eq!(page["pageCount"], 2);
    assert_eq!(
        page["nextUri"],
        "/api/v2/oauth/clients?pageSize=3&pageNumber=2"
    );
    let next: Value = env
        .get(page["nextUri"].as_str().unwrap())
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(next["entities"].as_array().unwrap().len(), 1);
    assert!(next.get("nextUri").is_none());
    assert_eq!(
        next["previousUri"],
        "/api/v2/oauth/clients?pageSize=3&pageNumber=1"
    );

    let resp = env
        .get("/api/v2/oauth/clients?pageSize=zero")
        .send()
        .unwrap();
    assert_eq!(error_body(resp).0, 400);

    // A default page size applies to listings that ask for none.
    env.emu.set_default_page_size(Some(2));
    let first: Value = env
        .get("/api/v2/oauth/clients")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(first["entities"].as_array().unwrap().len(), 2);
    assert_eq!(first["pageCount"], 2);
    assert_eq!(
        first["nextUri"],
        "/api/v2/oauth/clients?pageSize=2&pageNumber=2"
    );
}

#[test]
fn create_validates_the_request() {
    let env = Env::start();
    let cases = [
        (
            json!({ "authorizedGrantType": "CODE" }),
            "bad.request",
            "name",
        ),
        (json!({ "name": "x" }), "bad.request", "authorizedGrantType"),
        // The tutorial's grant spelling is not an API enum value (§7).
        (
            json!({ "name": "x", "authorizedGrantType": "client_credentials" }),
            "invalid.value",
            "authorizedGrantType",
        ),
        (
            json!({ "name": "x", "authorizedGrantType": "CODE", "state": "deleted" }),
            "invalid.value",
            "state",
        ),
        (
            json!({ "name": "x", "authorizedGrantType": "CODE", "accessTokenValiditySeconds": 10 }),
            "bad.request",
            "accessTokenValiditySeconds",
        ),
        (
            json!({ "name": "x", "authorizedGrantType": "CLIENT-CREDENTIALS", "roleDivisions": [{ "roleId": "r" }] }),
            "bad.request",
            "roleDivisions",
        ),
        (
            json!({ "name": "x", "authorizedGrantType": "CODE", "dateToDelete": "tomorrow" }),
            "invalid.date",
            "dateToDelete",
        ),
    ];
    for (body, code, field) in cases {
        let (status, err) = error_body(env.post("/api/v2/oauth/clients", &body).send().unwrap());
        assert_eq!(status, 400, "{body}");
        assert_eq!(err["code"], code, "{body}");
        assert_eq!(err["details"][0]["fieldName"], field, "{body}");
    }
    for grant in [
        "CODE",
        "TOKEN",
        "SAML2-BEARER",
        "PASSWORD",
        "CLIENT-CREDENTIALS",
    ] {
        let c = env.create(&json!({ "name": grant, "authorizedGrantType": grant }));
        assert_eq!(c["authorizedGrantType"], grant);
    }

    let resp = env
        .http
        .post(env.url("/api/v2/oauth/clients"))
        .bearer_auth(&env.token)
        .body(r#"{"name":"x","authorizedGrantType":"CODE"}"#)
        .send()
        .unwrap();
    assert_eq!(error_body(resp).1["code"], "unsupported.media.type");
    let resp = env
        .http
        .post(env.url("/api/v2/oauth/clients"))
        .bearer_auth(&env.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .unwrap();
    let (status, err) = error_body(resp);
    assert_eq!((status, err["code"].as_str()), (400, Some("bad.request")));
    assert!(
        env.emu.clients().iter().all(|c| c.name != "x"),
        "nothing created by a bad request"
    );
}

#[test]
fn delete_requires_inactive_then_404() {
    let env = Env::start();
    let created = env.create(&cc_client("doomed"));
    let id = created["id"].as_str().unwrap();
    let path = format!("/api/v2/oauth/clients/{id}");

    let (status, err) = error_body(env.delete(&path).send().unwrap());
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("cannot.delete.client"))
    );
    assert_eq!(env.emu.clients().len(), 1);

    let mut body = cc_client("doomed");
    body["state"] = json!("disabled");
    assert_eq!(env.put(&path, &body).send().unwrap().status(), 200);
    let (status, err) = error_body(env.delete(&path).send().unwrap());
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("cannot.delete.client")),
        "disabled is not inactive"
    );

    body["state"] = json!("inactive");
    assert_eq!(env.put(&path, &body).send().unwrap().status(), 200);
    let resp = env.delete(&path).send().unwrap();
    assert_eq!(resp.status(), 204);
    assert!(resp.bytes().unwrap().is_empty());

    let (status, err) = error_body(env.get(&path).send().unwrap());
    assert_eq!((status, err["code"].as_str()), (404, Some("not.found")));
    assert_eq!(err["entityId"], id);
    assert_eq!(error_body(env.delete(&path).send().unwrap()).0, 404);
    assert!(env.emu.clients().is_empty());
}

#[test]
fn regenerate_secret_returns_a_new_secret_once() {
    let env = Env::start();
    let created = env.create(&cc_client("rotating"));
    let id = created["id"].as_str().unwrap();
    let old = created["secret"].as_str().unwrap();
    let base = env.emu.base_url();

    // No body at all, as the SDKs send it.
    let resp = env
        .http
        .post(env.url(&format!("/api/v2/oauth/clients/{id}/secret")))
        .bearer_auth(&env.token)
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().unwrap();
    let new = body["secret"].as_str().unwrap();
    assert_ne!(new, old);
    assert_eq!(body["id"], id);
    assert_eq!(env.emu.client(id).unwrap().secret.expose(), new);

    assert_eq!(
        token_request(&env.http, &base, id, old).status(),
        401,
        "old secret is dead"
    );
    assert_eq!(token_request(&env.http, &base, id, new).status(), 200);
    let text = env
        .get(&format!("/api/v2/oauth/clients/{id}"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(!text.contains(new));

    let resp = env
        .http
        .post(env.url("/api/v2/oauth/clients/missing/secret"))
        .bearer_auth(&env.token)
        .send()
        .unwrap();
    assert_eq!(error_body(resp).0, 404);
}

#[test]
fn created_clients_get_tokens_only_when_active_client_credentials() {
    let env = Env::start();
    let base = env.emu.base_url();
    let created = env.create(&cc_client("svc"));
    let (id, secret) = (
        created["id"].as_str().unwrap(),
        created["secret"].as_str().unwrap(),
    );

    assert_eq!(env.emu.check_credentials(id, secret), Ok(()));
    let resp = token_request(&env.http, &base, id, secret);
    assert_eq!(resp.status(), 200);
    let token = resp.json::<Value>().unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    // The created client's token is valid but carries no OAuth-admin permissions.
    let me: Value = env
        .http
        .get(env.url("/api/v2/tokens/me"))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        me["OAuthClient"]["id"], id,
        "TokenInfo uses the literal key OAuthClient"
    );
    assert_eq!(me["OAuthClient"]["name"], "svc");
    assert_ne!(me["OAuthClient"]["organization"]["id"], "purecloud-builtin");
    let resp = env
        .http
        .get(env.url("/api/v2/oauth/clients"))
        .bearer_auth(&token)
        .send()
        .unwrap();
    let (status, err) = error_body(resp);
    assert_eq!(
        (status, err["code"].as_str()),
        (403, Some("missing.permissions"))
    );

    // Disabled: existing tokens die and no new ones (§3.3).
    assert!(env.emu.edit_client(id, |c| c.state = "disabled".into()));
    assert_eq!(
        env.http
            .get(env.url("/api/v2/tokens/me"))
            .bearer_auth(&token)
            .send()
            .unwrap()
            .status(),
        401
    );
    let resp = token_request(&env.http, &base, id, secret);
    assert_eq!(resp.status(), 400);
    assert_eq!(resp.json::<Value>().unwrap()["error"], "invalid_client");
    assert_eq!(
        env.emu.check_credentials(id, secret),
        Err(TokenRefusal::NotActive)
    );

    // Inactive: no token either.
    env.emu.edit_client(id, |c| c.state = "inactive".into());
    assert_eq!(token_request(&env.http, &base, id, secret).status(), 400);

    // A CODE client cannot use the client-credentials grant.
    let code = env.create(&json!({ "name": "web", "authorizedGrantType": "CODE" }));
    let resp = token_request(
        &env.http,
        &base,
        code["id"].as_str().unwrap(),
        code["secret"].as_str().unwrap(),
    );
    assert_eq!(resp.status(), 400);
    assert_eq!(
        resp.json::<Value>().unwrap()["error"],
        "unauthorized_client"
    );

    // Custom validity is what expires_in reports.
    let short = env.create(&json!({ "name": "short", "authorizedGrantType": "CLIENT-CREDENTIALS", "accessTokenValiditySeconds": 600 }));
    let resp = token_request(
        &env.http,
        &base,
        short["id"].as_str().unwrap(),
        short["secret"].as_str().unwrap(),
    );
    assert_eq!(resp.json::<Value>().unwrap()["expires_in"], 600);
}

#[test]
fn missing_permissions_give_403() {
    let env = Env::start();
    let created = env.create(&cc_client("kept"));
    let id = created["id"].as_str().unwrap();
    env.emu.set_admin_permissions(&["oauth:client:view"]);

    let (status, err) = error_body(
        env.post("/api/v2/oauth/clients", &cc_client("x"))
            .send()
            .unwrap(),
    );
    assert_eq!(
        (status, err["code"].as_str()),
        (403, Some("missing.permissions"))
    );
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("oauth:client:add")
    );
    let path = format!("/api/v2/oauth/clients/{id}");
    assert_eq!(
        error_body(env.put(&path, &cc_client("x")).send().unwrap()).0,
        403
    );
    assert_eq!(error_body(env.delete(&path).send().unwrap()).0, 403);
    assert_eq!(
        env.get(&path).send().unwrap().status(),
        200,
        "view is still granted"
    );
    assert_eq!(env.emu.clients().len(), 1);

    // Permissions are checked before the body: a bad body still gets 403.
    let (status, _) = error_body(
        env.post("/api/v2/oauth/clients", &json!({}))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 403);

    let emu = Emulator::start(Options::default().admin_permissions(&[])).unwrap();
    assert_eq!(emu.client(&emu.admin_client_id()).unwrap().state, "active");
}

#[test]
fn fault_429_with_integer_retry_after_then_success() {
    let env = Env::start();
    env.emu.inject(Fault::too_many_requests(2, 1));
    for _ in 0..2 {
        let resp = env
            .post("/api/v2/oauth/clients", &cc_client("after-storm"))
            .send()
            .unwrap();
        assert_eq!(resp.headers()["retry-after"], "1");
        assert_eq!(resp.headers()["inin-ratelimit-reset"], "1");
        let (status, err) = error_body(resp);
        assert_eq!(status, 429);
        assert_eq!(err["code"], "too.many.requests.retry.after");
        assert_eq!(
            err["message"],
            "Rate limit exceeded the maximum. Retry the request in [1] seconds"
        );
    }
    assert!(env.emu.clients().is_empty(), "a 429 creates nothing");
    env.create(&cc_client("after-storm"));
    assert_eq!(env.emu.clients().len(), 1);
    assert!(env.emu.pending_faults().is_empty());

    let log = env.emu.requests();
    let faulted: Vec<_> = log
        .iter()
        .filter(|e| e.fault.as_deref() == Some("tooManyRequests"))
        .collect();
    assert_eq!(faulted.len(), 2);
    assert!(
        faulted
            .iter()
            .all(|e| e.status == 429 && e.path == "/api/v2/oauth/clients")
    );

    // Retry-After 0 for fast tests; token endpoint is unaffected by API faults.
    env.emu.inject(Fault::too_many_requests(1, 0));
    let base = env.emu.base_url();
    assert_eq!(
        token_request(&env.http, &base, ADMIN_ID, ADMIN_SECRET).status(),
        200
    );
    let resp = env.get("/api/v2/oauth/clients").send().unwrap();
    assert_eq!(
        (resp.status().as_u16(), &resp.headers()["retry-after"]),
        (429, &"0".parse().unwrap())
    );
}

#[test]
fn fault_5xx_on_a_chosen_path() {
    let env = Env::start();
    let created = env.create(&cc_client("x"));
    let id = created["id"].as_str().unwrap();
    env.emu
        .inject(Fault::server_error(1, 503).on("POST", "/api/v2/oauth/clients/*/secret"));
    env.emu.inject(Fault::server_error(1, 500));
    // The first fault does not match a GET, so the second one applies.
    let (status, err) = error_body(env.get("/api/v2/oauth/clients").send().unwrap());
    assert_eq!(
        (status, err["code"].as_str()),
        (500, Some("internal.server.error"))
    );
    let resp = env
        .http
        .post(env.url(&format!("/api/v2/oauth/clients/{id}/secret")))
        .bearer_auth(&env.token)
        .send()
        .unwrap();
    let (status, err) = error_body(resp);
    assert_eq!(
        (status, err["code"].as_str()),
        (503, Some("service.unavailable"))
    );
    assert_eq!(
        env.emu.client(id).unwrap().secret.expose(),
        created["secret"].as_str().unwrap(),
        "not rotated"
    );
    assert_eq!(
        env.get("/api/v2/oauth/clients").send().unwrap().status(),
        200
    );
}

#[test]
fn token_endpoint_rate_limit_is_400_invalid_request() {
    let env = Env::start();
    let base = env.emu.base_url();
    env.emu.inject(Fault::token_rate_limit(2));
    for _ in 0..2 {
        let resp = token_request(&env.http, &base, ADMIN_ID, ADMIN_SECRET);
        assert_eq!(resp.status(), 400);
        let body: Value = resp.json().unwrap();
        assert_eq!(body["error"], "invalid_request");
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .starts_with("rate limit exceeded;")
        );
    }
    assert_eq!(
        env.get("/api/v2/oauth/clients").send().unwrap().status(),
        200,
        "API unaffected"
    );
    assert_eq!(
        token_request(&env.http, &base, ADMIN_ID, ADMIN_SECRET).status(),
        200
    );
}

#[test]
fn latency_is_added() {
    let env = Env::start();
    env.emu.set_latency(Duration::from_millis(300));
    let t = Instant::now();
    assert_eq!(
        env.get("/api/v2/oauth/clients").send().unwrap().status(),
        200
    );
    assert!(t.elapsed() >= Duration::from_millis(300));
    env.emu.set_latency(Duration::ZERO);
    let t = Instant::now();
    env.get("/api/v2/oauth/clients").send().unwrap();
    assert!(t.elapsed() < Duration::from_millis(300));
}

#[test]
fn dropped_connection_after_create_leaves_the_client() {
    let env = Env::start();
    env.emu.inject(Fault::drop_after_create(1));
    // A failing GET does not consume the fault; only a successful create does.
    env.get("/api/v2/oauth/clients").send().unwrap();
    let err = env
        .post("/api/v2/oauth/clients", &cc_client("orphan"))
        .send()
        .unwrap_err();
    assert!(
        !err.is_status() && !err.is_timeout(),
        "connection error, not an HTTP answer: {err}"
    );

    let clients = env.emu.clients();
    assert_eq!(
        clients.len(),
        1,
        "created server-side although the caller saw an error"
    );
    assert_eq!(clients[0].name, "orphan");
    let last = env.emu.requests().pop().unwrap();
    assert!(last.dropped && last.status == 200 && last.method == "POST");

    // The server keeps serving; the orphan can be found by name and its secret regenerated.
    let list: Value = env
        .get("/api/v2/oauth/clients")
        .send()
        .unwrap()
        .json()
        .unwrap();
    let orphan = list["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "orphan")
        .unwrap();
    let resp = env
        .http
        .post(env.url(&format!(
            "/api/v2/oauth/clients/{}/secret",
            orphan["id"].as_str().unwrap()
        )))
        .bearer_auth(&env.token)
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[test]
fn unknown_paths_and_methods_get_error_bodies() {
    let env = Env::start();
    let (status, err) = error_body(env.get("/api/v2/nope").send().unwrap());
    assert_eq!((status, err["code"].as_str()), (404, Some("not.found")));
    let resp = env
        .http
        .patch(env.url("/api/v2/oauth/clients"))
        .bearer_auth(&env.token)
        .send()
        .unwrap();
    assert_eq!(error_body(resp).0, 405);
}

#[test]
fn request_log_and_control_endpoints_hold_no_secrets() {
    let env = Env::start();
    let created = env.create(&cc_client("quiet"));
    let secret = created["secret"].as_str().unwrap();
    let log = env.emu.requests();
    assert_eq!(
        log.first()
            .map(|e| (e.method.as_str(), e.path.as_str(), e.status)),
        Some(("POST", "/oauth/token", 200))
    );
    assert_eq!(
        log.last()
            .map(|e| (e.method.as_str(), e.path.as_str(), e.status)),
        Some(("POST", "/api/v2/oauth/clients", 200))
    );
    let dump = format!("{log:?}");
    assert!(!dump.contains(secret) && !dump.contains(ADMIN_SECRET) && !dump.contains(&env.token));

    for path in [
        "/__emulator/clients",
        "/__emulator/requests",
        "/__emulator/faults",
    ] {
        let text = env.http.get(env.url(path)).send().unwrap().text().unwrap();
        assert!(
            !text.contains(secret) && !text.contains(ADMIN_SECRET),
            "{path}"
        );
    }
}

#[test]
fn control_endpoints_drive_the_same_faults() {
    let env = Env::start();
    let ctl = |method: reqwest::Method, path: &str, body: Option<Value>| {
        let mut req = env.http.request(method, env.url(path));
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().unwrap()
    };
    use reqwest::Method;
    assert_eq!(
        ctl(Method::GET, "/__emulator/health", None)
            .json::<Value>()
            .unwrap()["status"],
        "ok"
    );

    let fault = json!({ "kind": "tooManyRequests", "retryAfter": 1, "count": 1, "method": "GET", "path": "/api/v2/*" });
    assert_eq!(
        ctl(Method::POST, "/__emulator/faults", Some(fault)).status(),
        204
    );
    let bad = json!({ "kind": "serverError", "status": 404, "count": 1 });
    assert_eq!(
        ctl(Method::POST, "/__emulator/faults", Some(bad)).status(),
        400
    );
    assert_eq!(
        ctl(Method::GET, "/__emulator/faults", None)
            .json::<Value>()
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        env.get("/api/v2/oauth/clients").send().unwrap().status(),
        429
    );

    let drop = json!({ "kind": "dropConnection", "count": 1, "method": "POST", "path": "/api/v2/oauth/clients" });
    ctl(Method::POST, "/__emulator/faults", Some(drop));
    assert!(
        env.post("/api/v2/oauth/clients", &cc_client("c"))
            .send()
            .is_err()
    );
    let clients: Value = ctl(Method::GET, "/__emulator/clients", None)
        .json()
        .unwrap();
    assert_eq!(
        clients.as_array().unwrap().len(),
        2,
        "admin + the dropped create"
    );

    ctl(
        Method::POST,
        "/__emulator/faults",
        Some(json!({ "kind": "tokenRateLimit", "count": 1 })),
    );
    assert_eq!(
        token_request(&env.http, &env.emu.base_url(), ADMIN_ID, ADMIN_SECRET).status(),
        400
    );

    ctl(
        Method::POST,
        "/__emulator/faults",
        Some(json!({ "kind": "serverError", "status": 502, "count": 5 })),
    );
    assert_eq!(
        ctl(Method::DELETE, "/__emulator/faults", None).status(),
        204
    );
    assert_eq!(
        env.get("/api/v2/oauth/clients").send().unwrap().status(),
        200
    );

    ctl(
        Method::PUT,
        "/__emulator/latency",
        Some(json!({ "millis": 250 })),
    );
    let t = Instant::now();
    env.get("/api/v2/oauth/clients").send().unwrap();
    assert!(t.elapsed() >= Duration::from_millis(250));
    ctl(
        Method::PUT,
        "/__emulator/latency",
        Some(json!({ "millis": 0 })),
    );

    ctl(
        Method::PUT,
        "/__emulator/permissions",
        Some(json!({ "permissions": ["oauth:client:view"] })),
    );
    assert_eq!(
        env.post("/api/v2/oauth/clients", &cc_client("d"))
            .send()
            .unwrap()
            .status(),
        403
    );

    let log: Value = ctl(Method::GET, "/__emulator/requests", None)
        .json()
        .unwrap();
    assert!(log.as_array().unwrap().iter().any(|e| e["dropped"] == true));
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .all(|e| !e["path"].as_str().unwrap().starts_with("/__emulator"))
    );
    ctl(Method::DELETE, "/__emulator/requests", None);
    assert!(env.emu.requests().is_empty());

    ctl(Method::POST, "/__emulator/tokens/expire", None);
    assert_eq!(
        env.get("/api/v2/oauth/clients").send().unwrap().status(),
        401
    );
}

#[test]
fn dropping_the_handle_stops_the_server() {
    let emu = Emulator::start(Options::default()).unwrap();
    let url = format!("{}/__emulator/health", emu.base_url());
    let http = client_builder().build().unwrap();
    assert_eq!(http.get(&url).send().unwrap().status(), 200);
    drop(emu);
    assert!(http.get(&url).send().is_err());
}

#[test]
fn binary_prints_base_url_and_serves() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command, Stdio};
    let secret = "binary-admin-secret-42";
    let mut child = Command::new(env!("CARGO_BIN_EXE_genesys-emulator"))
        .args(["--port", "0", "--admin-client-id", "bin-admin"])
        .env("GENESYSCLOUD_OAUTHCLIENT_SECRET", secret)
        .env_remove("GENESYSCLOUD_OAUTHCLIENT_ID")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let base = line.trim().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");

    let http = client_builder().build().unwrap();
    let resp = token_request(&http, &base, "bin-admin", secret);
    assert_eq!(resp.status(), 200);
    let token = resp.json::<Value>().unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let created: Value = http
        .post(format!("{base}/api/v2/oauth/clients"))
        .bearer_auth(&token)
        .json(&cc_client("from-binary"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let client_secret = created["secret"].as_str().unwrap().to_owned();

    child.kill().unwrap();
    child.wait().unwrap();
    let mut out = String::new();
    stdout.read_to_string(&mut out).unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(
        err.contains("POST /api/v2/oauth/clients -> 200"),
        "request echo on stderr: {err}"
    );
    for s in [secret, client_secret.as_str(), token.as_str()] {
        assert!(
            !out.contains(s) && !err.contains(s),
            "secret leaked to the binary's output"
        );
    }

    // --help must not show the secret taken from the environment.
    let help = Command::new(env!("CARGO_BIN_EXE_genesys-emulator"))
        .arg("--help")
        .env("GENESYSCLOUD_OAUTHCLIENT_SECRET", secret)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&help.stdout).contains(secret));
}

#[test]
fn handle_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Handle>();
    let emu = std::sync::Arc::new(
        Emulator::start(Options::default().admin(ADMIN_ID, ADMIN_SECRET)).unwrap(),
    );
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let emu = emu.clone();
            std::thread::spawn(move || {
                let http = client_builder().build().unwrap();
                token_request(&http, &emu.base_url(), ADMIN_ID, ADMIN_SECRET)
                    .status()
                    .as_u16()
            })
        })
        .collect();
    for w in workers {
        assert_eq!(w.join().unwrap(), 200);
    }
    assert_eq!(emu.requests().len(), 4);
}

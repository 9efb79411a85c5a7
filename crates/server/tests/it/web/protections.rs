//! What protects the pages, at the HTTP level: cross-site and forged posts are
//! refused with a page (never acted on), a deactivated member's session ends at
//! once, pages carry their security headers, and unknown pages are 404 pages.

use reqwest::header::{COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use sigil_core::BuiltinAccountType;

use crate::common::TestApp;

pub(super) struct Pages {
    pub(super) http: reqwest::Client,
    base: String,
}

impl Pages {
    pub(super) fn new(app: &TestApp) -> Pages {
        Pages {
            http: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .unwrap(),
            base: app.base.clone(),
        }
    }

    /// Signs in; answers the session cookie.
    pub(super) async fn sign_in(&self, email: &str, password: &str) -> String {
        let r = self
            .http
            .post(format!("{}/signin", self.base))
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let c = r.headers()[SET_COOKIE].to_str().unwrap();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax"), "{c}");
        c.split(';').next().unwrap().to_owned()
    }

    pub(super) async fn get(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, cookie)
            .send()
            .await
            .unwrap()
    }

    pub(super) async fn csrf(&self, cookie: &str) -> String {
        let page = self.get("/", cookie).await.text().await.unwrap();
        let at = page.find("name=\"_csrf\" value=\"").expect("a form token") + 20;
        page[at..].split('"').next().unwrap().to_owned()
    }

    pub(super) async fn post(
        &self,
        path: &str,
        cookie: &str,
        origin: Option<&str>,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut r = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, cookie)
            .form(form);
        if let Some(o) = origin {
            r = r.header(ORIGIN, o);
        }
        r.send().await.unwrap()
    }
}

#[tokio::test]
async fn cross_site_and_forged_posts_are_refused_and_nothing_is_done() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let p = Pages::new(&app);
    let cookie = p.sign_in("admin@example.com", &app.init.password).await;
    let token = p.csrf(&cookie).await;
    let own = app.base.clone();

    let r = p
        .post(
            "/workspaces",
            &cookie,
            Some("http://evil.example"),
            &[("_csrf", &token), ("name", "Evil")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("This form cannot be accepted"));
    let r = p
        .post(
            "/workspaces",
            &cookie,
            Some(&own),
            &[("_csrf", "forged"), ("name", "Forged")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = p
        .post("/workspaces", &cookie, None, &[("name", "No token")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (_, ws) = app.get("/v2/workspaces", Some(&admin)).await;
    assert_eq!(ws["total"], 0, "nothing was created: {ws}");

    let r = p
        .post(
            "/workspaces",
            &cookie,
            Some(&own),
            &[("_csrf", &token), ("name", "Real")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, ws) = app.get("/v2/workspaces", Some(&admin)).await;
    assert_eq!(ws["entries"][0]["name"], "Real");

    // A bad name is answered on the page, with what was typed kept.
    let r = p
        .post(
            "/workspaces",
            &cookie,
            Some(&own),
            &[("_csrf", &token), ("name", "   ")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("name must be 1 to 255 characters"));
}

#[tokio::test]
async fn pages_carry_security_headers_and_unknown_ones_are_404_pages() {
    let app = TestApp::spawn().await;
    let p = Pages::new(&app);
    let cookie = p.sign_in("admin@example.com", &app.init.password).await;
    let r = p.get("/", &cookie).await;
    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(h.contains_key("referrer-policy"));
    let page = r.text().await.unwrap();
    assert!(!page.contains("<script>"), "no inline script");
    // The stylesheet is served under its hashed name, to keep for good.
    let css = page
        .split("href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let r = p.get(css, "").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));

    let r = p
        .get(&format!("/files/{}", uuid::Uuid::new_v4()), &cookie)
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("Go to the home page"));
    let r = p.get("/no/such/page", &cookie).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("Go to the home page"));
}

#[tokio::test]
async fn a_deactivated_members_session_ends_at_once_and_others_get_no_admin_pages() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let m = app
        .add_member(
            "v@example.com",
            BuiltinAccountType::Viewer,
            "viewer-password",
        )
        .await;
    let p = Pages::new(&app);
    let cookie = p.sign_in("v@example.com", "viewer-password").await;
    assert_eq!(p.get("/", &cookie).await.status(), StatusCode::OK);
    let r = p.get("/admin/users", &cookie).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("You do not have access"));

    app.delete(&format!("/v2/members/{}", m.id), Some(&admin))
        .await;
    let r = p.get("/", &cookie).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/signin");
}

#[tokio::test]
async fn repeated_failed_sign_ins_are_slowed_down() {
    let app = TestApp::spawn().await;
    let p = Pages::new(&app);
    for _ in 0..5 {
        let r = p
            .http
            .post(format!("{}/signin", p.base))
            .form(&[("email", "admin@example.com"), ("password", "wrong")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password waits now.
    let r = p
        .http
        .post(format!("{}/signin", p.base))
        .form(&[
            ("email", "admin@example.com"),
            ("password", app.init.password.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().await.unwrap().contains("Too many failed sign-ins"));
}

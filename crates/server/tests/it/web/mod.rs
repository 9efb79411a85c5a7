//! The web pages: in a real Chromium, by the words on the screen (sign-in, the user
//! menu, Administration, sharing a workspace, a name holding a script), and at the
//! HTTP level the protections a browser cannot show (cross-site posts, forged form
//! tokens, sessions of deactivated members, security headers).

mod browser;
mod connectors;
mod protections;
mod workbooks;

use browser::{Browser, Step};
use fantoccini::Locator;
use reqwest::{Method, StatusCode};
use serde_json::json;
use sigil_core::BuiltinAccountType;

use crate::common::TestApp;

async fn sign_in(b: &Browser, email: &str, password: &str) -> Step {
    b.goto("/signin").await?;
    b.fill("Email", email).await?;
    b.fill("Password", password).await?;
    b.press("Sign in").await?;
    Ok(())
}

#[tokio::test]
async fn signing_in_wrong_then_right_and_signing_out() {
    let app = TestApp::spawn().await;
    let Some(b) = Browser::open(&app.base, app.dir.path()).await else {
        return;
    };
    let password = app.init.password.clone();
    b.run("sign-in", async |b| {
        b.goto("/").await?;
        assert!(
            b.text().await?.contains("Sign in to sigil"),
            "/ without a session asks to sign in"
        );
        sign_in(b, "admin@example.com", "not the password").await?;
        let wrong = b.text().await?;
        assert!(
            wrong.contains("The email or password is not right."),
            "{wrong}"
        );
        // An unknown email gets exactly the same message.
        sign_in(b, "nobody@example.com", "not the password").await?;
        assert!(b
            .text()
            .await?
            .contains("The email or password is not right."));
        assert_eq!(
            b.field("Email").await?.prop("value").await?.as_deref(),
            Some("nobody@example.com"),
            "the form keeps what was typed"
        );
        sign_in(b, "admin@example.com", &password).await?;
        assert!(b.text().await?.contains("Workspaces"));
        b.user_menu().await?;
        let menu = b.text().await?;
        assert!(
            menu.contains("Administration") && menu.contains("Admin"),
            "{menu}"
        );
        b.press("Sign out").await?;
        assert!(b.text().await?.contains("Sign in to sigil"));
        b.goto("/admin/users").await?;
        assert!(
            b.text().await?.contains("Sign in to sigil"),
            "signed out for good"
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn administration_invites_a_user_makes_a_team_and_client_credentials() {
    let app = TestApp::spawn().await;
    let Some(b) = Browser::open(&app.base, app.dir.path()).await else {
        return;
    };
    let admin = app.admin_token().await;
    let password = app.init.password.clone();
    b.run("administration", async |b| {
        sign_in(b, "admin@example.com", &password).await?;
        b.user_menu().await?;
        b.link("Administration").await?;
        b.client
            .find(Locator::XPath("//nav[@aria-label='Administration']"))
            .await?;
        assert!(b.text().await?.contains("Users"));
        b.screenshot("users").await;

        // Invite a user, then change their account type.
        b.press("Invite user").await?;
        b.fill("Email", "ada@example.com").await?;
        b.fill("First name", "Ada").await?;
        b.fill("Last name", "Lovelace").await?;
        b.choose("Account type", "Creator").await?;
        b.press("Invite").await?;
        assert!(b.text().await?.contains("ada@example.com"));
        b.screenshot("user").await;
        b.choose("Account type", "Explorer").await?;
        b.press("Save").await?;
        let (_, list) = app.get("/v2/members?search=ada", Some(&admin)).await;
        assert_eq!(list["entries"][0]["memberType"], "Explorer", "{list}");
        assert_eq!(list["entries"][0]["firstName"], "Ada");
        let ada = list["entries"][0]["memberId"].as_str().unwrap().to_owned();

        // A bad email is answered next to the field, keeping what was typed.
        b.link("Users").await?;
        b.press("Invite user").await?;
        b.fill("Email", "ada@example.com").await?;
        b.fill("First name", "Again").await?;
        b.press("Invite").await?;
        let t = b.text().await?;
        assert!(t.contains("already exists"), "{t}");
        assert_eq!(
            b.field("First name").await?.prop("value").await?.as_deref(),
            Some("Again")
        );

        // A team with Ada in it.
        b.link("Teams").await?;
        b.press("Create team").await?;
        b.fill("Name", "Analysts").await?;
        b.fill("Description", "Numbers").await?;
        b.choose("Members", "Ada Lovelace (ada@example.com)")
            .await?;
        b.press("Create").await?;
        assert!(b.text().await?.contains("Ada Lovelace"));
        b.screenshot("team").await;
        let (_, teams) = app.get("/v2/teams?name=Analysts", Some(&admin)).await;
        let team = teams["entries"][0]["teamId"].as_str().unwrap().to_owned();
        let (_, members) = app
            .get(&format!("/v2/teams/{team}/members"), Some(&admin))
            .await;
        assert_eq!(members["entries"][0]["userId"], ada.as_str());

        // A name holding a script is shown as text.
        b.link("Teams").await?;
        b.press("Create team").await?;
        b.fill("Name", "<script>alert(1)</script>").await?;
        b.press("Create").await?;
        b.link("Teams").await?;
        b.screenshot("teams").await;
        assert!(b.text().await?.contains("<script>alert(1)</script>"));
        assert!(b.client.get_alert_text().await.is_err(), "no script ran");

        b.link("Account types").await?;
        b.screenshot("account-types").await;
        // Client credentials: the secret is shown once, and it works.
        b.link("API credentials").await?;
        b.fill("Name", "ci").await?;
        b.press("Create").await?;
        assert!(b.text().await?.contains("shown only once"));
        let secret = b
            .client
            .find(Locator::Id("client-secret"))
            .await?
            .text()
            .await?;
        let client_id = b
            .client
            .find(Locator::XPath(
                "//p[starts-with(normalize-space(),'Client ID')]/code",
            ))
            .await?
            .text()
            .await?;
        b.screenshot("credentials").await;
        b.goto("/admin/api-credentials").await?;
        let again = b.text().await?;
        assert!(!again.contains(&secret), "the secret is not shown again");
        assert!(again.contains(&client_id), "the credentials are listed");
        let (status, _) = app.client_credentials(&client_id, &secret).await;
        assert_eq!(status, StatusCode::OK);
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_workspace_shared_with_a_team_at_can_explore_is_seen_but_not_shared_by_its_members() {
    let app = TestApp::spawn().await;
    let Some(b) = Browser::open(&app.base, app.dir.path()).await else {
        return;
    };
    let admin = app.admin_token().await;
    let m = app
        .add_member(
            "eve@example.com",
            BuiltinAccountType::Explorer,
            "eve-password",
        )
        .await;
    let (s, _) = app
        .send_json(
            Method::POST,
            "/v2/teams",
            Some(&admin),
            &json!({"name": "Analysts", "members": [m.id.to_string()]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let password = app.init.password.clone();
    b.run("sharing", async |b| {
        sign_in(b, "admin@example.com", &password).await?;
        b.press("Create workspace").await?;
        b.fill("Name", "Sales").await?;
        b.press("Create").await?;
        assert!(b.text().await?.contains("Sales"));
        b.screenshot("workspace").await;
        b.link("Share").await?;
        // The member picker searches.
        b.fill("Find a member", "eve").await?;
        b.press("Find").await?;
        let offered = b.field("Member or team").await?.text().await?;
        assert!(offered.contains("eve@example.com"), "{offered}");
        assert!(!offered.contains("admin@example.com"), "{offered}");
        b.choose("Member or team", "Analysts").await?;
        b.choose("Permission", "Can Explore").await?;
        b.press("Share").await?;
        assert!(b.text().await?.contains("Team Analysts"));
        b.screenshot("share").await;
        let (_, ws) = app.get("/v2/workspaces?name=Sales", Some(&admin)).await;
        let id = ws["entries"][0]["workspaceId"].as_str().unwrap().to_owned();
        let (_, grants) = app
            .get(&format!("/v2/workspaces/{id}/grants"), Some(&admin))
            .await;
        let team_grant = grants["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["teamId"].is_string())
            .cloned()
            .expect("a team grant");
        assert_eq!(team_grant["permission"], "explore");

        b.user_menu().await?;
        b.press("Sign out").await?;
        sign_in(b, "eve@example.com", "eve-password").await?;
        b.screenshot("home").await;
        b.link("Sales").await?;
        let t = b.text().await?;
        assert!(t.contains("Can Explore"), "{t}");
        assert!(!b.has_button("Share").await?, "Can Explore may not share");
        b.goto(&format!("/files/{id}/share")).await?;
        assert!(b.text().await?.contains("You do not have access"));
        b.goto("/admin/users").await?;
        assert!(b.text().await?.contains("You do not have access"));
        b.screenshot("no-access").await;
        Ok(())
    })
    .await;
}

//! A real Chromium driven over WebDriver (chromedriver), found as a person finds
//! things: fields by their label, buttons by their text, links by their text, the
//! user menu by its accessible name. Without Chromium the tests say so and are
//! skipped, except under CI, where that fails them. A failing test leaves a
//! screenshot of the page it was on in its temporary directory.

use std::process::Stdio;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub type Step<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

pub struct Browser {
    pub client: Client,
    pub base: String,
    pub shots: std::path::PathBuf,
    _driver: Child,
    _profile: tempfile::TempDir,
}

fn installed(bin: &str) -> bool {
    std::process::Command::new(bin)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Browser {
    /// A browser on `base`; `None` (skip) when Chromium is not installed here.
    pub async fn open(base: &str, shots: &std::path::Path) -> Option<Browser> {
        if !installed("chromedriver") || !installed("chromium") {
            assert!(
                std::env::var_os("CI").is_none(),
                "chromium and chromedriver are needed under CI: the browser tests may not be skipped"
            );
            eprintln!("chromium or chromedriver is not installed: the browser test is skipped");
            return None;
        }
        let port = free_port();
        let mut driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        // Ready when it says so.
        let mut lines = BufReader::new(driver.stdout.take().unwrap()).lines();
        let ready = tokio::time::timeout(Duration::from_secs(30), async {
            while let Ok(Some(l)) = lines.next_line().await {
                if l.contains("started successfully") {
                    return true;
                }
            }
            false
        })
        .await;
        assert_eq!(ready.ok(), Some(true), "chromedriver did not start");
        // Two crypto providers are compiled in (reqwest's and the WebDriver client's):
        // name one, once per process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let profile = tempfile::tempdir().unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-quic", "--window-size=1280,800",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }),
        );
        let client = ClientBuilder::rustls()
            .expect("rustls")
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session");
        Some(Browser {
            client,
            base: base.to_owned(),
            // SIGIL_TEST_SCREENSHOTS keeps them somewhere that outlives the test.
            shots: std::env::var_os("SIGIL_TEST_SCREENSHOTS")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|| shots.to_path_buf()),
            _driver: driver,
            _profile: profile,
        })
    }

    pub async fn goto(&self, path: &str) -> Step {
        self.client.goto(&format!("{}{path}", self.base)).await?;
        Ok(())
    }

    /// The field a label names: in an open dialog first (it is in front), else the
    /// first shown on the page.
    pub async fn field(&self, label: &str) -> Step<fantoccini::elements::Element> {
        let text = xpath_str(label);
        for scope in ["//dialog[@open]", ""] {
            let xp = format!("{scope}//label[normalize-space()={text}]");
            for l in self.client.find_all(Locator::XPath(&xp)).await? {
                if !l.is_displayed().await? {
                    continue;
                }
                let id = l.attr("for").await?.ok_or("the label names no field")?;
                return Ok(self.client.find(Locator::Id(&id)).await?);
            }
        }
        Err(format!("no shown field labelled `{label}`").into())
    }

    /// Chooses an option whose change posts the form (our script does), and waits
    /// for the page that answers.
    pub async fn choose_and_wait(&self, label: &str, option: &str) -> Step {
        let page = self.client.find(Locator::Css("html")).await?;
        self.choose(label, option).await?;
        self.wait_until_gone(page).await
    }

    /// Waits (at most ten seconds) until a field labelled `label` is shown.
    pub async fn wait_for_field(&self, label: &str) -> Step<fantoccini::elements::Element> {
        for _ in 0..200 {
            if let Ok(f) = self.field(label).await {
                return Ok(f);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("no field labelled `{label}` appeared").into())
    }

    /// The text of the region (or other element) named `name`.
    pub async fn region(&self, name: &str) -> Step<String> {
        let text = xpath_str(name);
        let xp = format!(
            "//*[@aria-label={text} or @aria-labelledby=//*[normalize-space()={text}]/@id]"
        );
        Ok(self.client.find(Locator::XPath(&xp)).await?.text().await?)
    }

    /// Clicks the region (or group) named `name`, as a person selects an element on
    /// a page, and waits for the page that answers.
    pub async fn select(&self, name: &str) -> Step {
        let text = xpath_str(name);
        let xp = format!("//section[@aria-label={text}]");
        let page = self.client.find(Locator::Css("html")).await?;
        for r in self.client.find_all(Locator::XPath(&xp)).await? {
            if r.is_displayed().await? {
                r.click().await?;
                return self.wait_until_gone(page).await;
            }
        }
        Err(format!("no shown region `{name}`").into())
    }

    /// The field labelled `label` inside the group or region named `scope`.
    pub async fn field_in(&self, scope: &str, label: &str) -> Step<fantoccini::elements::Element> {
        let xp = format!(
            "//*[@aria-label={}]//label[normalize-space()={}]",
            xpath_str(scope),
            xpath_str(label)
        );
        for l in self.client.find_all(Locator::XPath(&xp)).await? {
            if !l.is_displayed().await? {
                continue;
            }
            let id = l.attr("for").await?.ok_or("the label names no field")?;
            return Ok(self.client.find(Locator::Id(&id)).await?);
        }
        Err(format!("no shown field labelled `{label}` in `{scope}`").into())
    }

    /// Presses the button with this text inside the group or region named `scope`,
    /// and waits for the page that answers.
    pub async fn press_in(&self, scope: &str, text: &str) -> Step {
        let xp = format!(
            "//*[@aria-label={}]//button[normalize-space()={}]",
            xpath_str(scope),
            xpath_str(text)
        );
        let page = self.client.find(Locator::Css("html")).await?;
        self.client.find(Locator::XPath(&xp)).await?.click().await?;
        self.wait_until_gone(page).await
    }

    /// Clicks the first shown button with this text without waiting for a new page
    /// (our script answers it in place).
    pub async fn click(&self, text: &str) -> Step {
        let xp = format!("//button[normalize-space()={}]", xpath_str(text));
        for b in self.client.find_all(Locator::XPath(&xp)).await? {
            if b.is_displayed().await? {
                b.click().await?;
                return Ok(());
            }
        }
        Err(format!("no visible button `{text}`").into())
    }

    pub async fn fill(&self, label: &str, value: &str) -> Step {
        let f = self.field(label).await?;
        f.clear().await?;
        f.send_keys(value).await?;
        Ok(())
    }

    pub async fn choose(&self, label: &str, option: &str) -> Step {
        self.field(label).await?.select_by_label(option).await?;
        Ok(())
    }

    /// Clicks the first visible button (or button-like summary) with this text: in an
    /// open dialog first, since it is in front.
    pub async fn press(&self, text: &str) -> Step {
        let t = xpath_str(text);
        for scope in ["//dialog[@open]", ""] {
            let xp = format!(
                "{scope}//*[self::button or self::summary or @role='button'][normalize-space()={t}]"
            );
            for b in self.client.find_all(Locator::XPath(&xp)).await? {
                if !b.is_displayed().await? {
                    continue;
                }
                let submits = b.tag_name().await? == "button"
                    && b.attr("type").await?.as_deref() != Some("button");
                let page = self.client.find(Locator::Css("html")).await?;
                b.click().await?;
                if submits {
                    self.wait_until_gone(page).await?;
                }
                return Ok(());
            }
        }
        Err(format!("no visible button `{text}`").into())
    }

    /// Waits (at most thirty seconds, as for the browser to start: under CI's load a
    /// debug build's answer has taken over ten) until the page `old` belonged to is
    /// replaced.
    pub async fn wait_until_gone(&self, old: fantoccini::elements::Element) -> Step {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while tokio::time::Instant::now() < deadline {
            if old.tag_name().await.is_err() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err("the page did not change within 30 s of submitting the form".into())
    }

    /// Follows the first shown link with this text.
    pub async fn link(&self, text: &str) -> Step {
        let page = self.client.find(Locator::Css("html")).await?;
        for l in self.client.find_all(Locator::LinkText(text)).await? {
            if l.is_displayed().await? {
                l.click().await?;
                return self.wait_until_gone(page).await;
            }
        }
        Err(format!("no shown link `{text}`").into())
    }

    /// Opens the user menu in the header.
    pub async fn user_menu(&self) -> Step {
        self.client
            .find(Locator::XPath("//summary[@aria-label='User menu']"))
            .await?
            .click()
            .await?;
        Ok(())
    }

    pub async fn text(&self) -> Step<String> {
        Ok(self.client.find(Locator::Css("body")).await?.text().await?)
    }

    pub async fn has_button(&self, text: &str) -> Step<bool> {
        let xp = format!(
            "//*[self::button or self::summary or self::a][normalize-space()={}]",
            xpath_str(text)
        );
        Ok(!self.client.find_all(Locator::XPath(&xp)).await?.is_empty())
    }

    /// Scrolls the element with this id to the top of the window (for a screenshot).
    pub async fn scroll_to(&self, id: &str) -> Step {
        self.client
            .execute(
                "document.getElementById(arguments[0]).scrollIntoView()",
                vec![serde_json::Value::String(id.to_owned())],
            )
            .await?;
        Ok(())
    }

    pub async fn screenshot(&self, name: &str) {
        if let Ok(png) = self.client.screenshot().await {
            let path = self.shots.join(format!("{name}.png"));
            let _ = std::fs::write(&path, png);
            eprintln!("screenshot: {}", path.display());
        }
    }

    /// Runs a test's steps; on failure, keeps a screenshot and fails with the step's
    /// error. The browser is closed either way.
    pub async fn run<F>(self, name: &str, steps: F)
    where
        F: AsyncFnOnce(&Browser) -> Step,
    {
        let r = steps(&self).await;
        if r.is_err() {
            self.screenshot(&format!("{name}-failure")).await;
        }
        let _ = self.client.clone().close().await;
        if let Err(e) = r {
            panic!("{name}: {e}");
        }
    }
}

/// An XPath string literal holding `s`.
fn xpath_str(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

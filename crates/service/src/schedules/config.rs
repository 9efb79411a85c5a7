//! An export schedule's settings: a request's `configV2` (or older `config`) checked
//! against the workbook, and kept in the shape Sigma answers.

use serde_json::{json, Map, Value};
use sigil_core::InodeId;
use uuid::Uuid;

use super::checks::*;
use super::Schedules;
use crate::error::ServiceResult;
use crate::workbooks::WorkbookDocument;

impl Schedules {
    /// The export's settings, checked against the workbook, as Sigma answers them.
    pub(super) async fn config(
        &self,
        wb: &WorkbookDocument,
        v2: Option<&Value>,
        v1: Option<&Value>,
    ) -> ServiceResult<Value> {
        let doc = &wb.document;
        let mut out = Map::new();
        match (v2, v1) {
            (Some(c), old) => {
                let field = "configV2";
                object_of(c, field)?;
                out.insert(
                    "title".into(),
                    json!(string_of(&c["title"], "configV2.title")?),
                );
                out.insert(
                    "messageBody".into(),
                    json!(string_of(&c["messageBody"], "configV2.messageBody")?),
                );
                let list = c["exportAttachments"]
                    .as_array()
                    .ok_or_else(|| bad("configV2.exportAttachments", "must be a list"))?;
                if list.len() > 20 {
                    return Err(bad(
                        "configV2.exportAttachments",
                        "must hold at most 20 attachments",
                    ));
                }
                let chart = old.and_then(|o| o["chartId"].as_str());
                let mut attachments = Vec::new();
                for (i, a) in list.iter().enumerate() {
                    let f = format!("configV2.exportAttachments[{i}]");
                    object_of(a, &f)?;
                    let mut item = json!({"formatOptions": format_options(&a["formatOptions"], &format!("{f}.formatOptions"))?});
                    let src = &a["workbookExportSource"];
                    let sf = format!("{f}.workbookExportSource");
                    object_of(src, &sf)?;
                    item["workbookExportSource"] = match one_of(
                        &src["type"],
                        &format!("{sf}.type"),
                        &["element", "page", "all"],
                    )? {
                        "element" => {
                            json!({"type": "element", "nodeIds": ids_in(&src["elementIds"], &format!("{sf}.elementIds"), &|id| has_element(doc, id), "element")?})
                        }
                        "page" => {
                            json!({"type": "page", "nodeIds": ids_in(&src["pageIds"], &format!("{sf}.pageIds"), &|id| has_page(doc, id), "page")?})
                        }
                        _ => json!({"type": "all"}),
                    };
                    if let Some(chart) = chart {
                        item["chartId"] = json!(chart);
                    }
                    attachments.push(item);
                }
                out.insert("notificationAttachments".into(), Value::Array(attachments));
                out.insert("includeLink".into(), json!(flag(c, "includeLink", field)?));
                out.insert(
                    "runAsRecipient".into(),
                    json!(flag(c, "runAsRecipient", field)?),
                );
                let settings = &c["attachmentSettings"];
                if !settings.is_null() {
                    object_of(settings, "configV2.attachmentSettings")?;
                }
                out.insert(
                    "attachmentSettings".into(),
                    json!({
                        "mergePdfAttachments": flag(settings, "mergeAttachments", "configV2.attachmentSettings")?,
                        "zipAttachments": flag(settings, "zipAttachments", "configV2.attachmentSettings")?,
                    }),
                );
                out.insert(
                    "conditionOptions".into(),
                    condition_options(&c["conditionOptions"], doc)?,
                );
                let name = match &c["exportName"] {
                    Value::Null => wb.node.name.clone(),
                    n => string_of(n, "configV2.exportName")?.to_owned(),
                };
                out.insert("notificationName".into(), json!(name));
                if !c["workbookVariant"].is_null() {
                    out.insert(
                        "workbookVariant".into(),
                        self.variant(wb.node.id, &c["workbookVariant"]).await?,
                    );
                }
                if !c["formatting"].is_null() {
                    let f = &c["formatting"];
                    object_of(f, "configV2.formatting")?;
                    let style = match &f["pivotHeaderStyle"] {
                        Value::Null => "merged",
                        s => one_of(
                            s,
                            "configV2.formatting.pivotHeaderStyle",
                            &["merged", "repeated"],
                        )?,
                    };
                    out.insert(
                        "formatting".into(),
                        json!({"pivotHeaderStyle": style, "includeMetadata": flag(f, "includeMetadata", "configV2.formatting")?}),
                    );
                }
                if !c["workbookSettings"].is_null() {
                    object_of(&c["workbookSettings"], "configV2.workbookSettings")?;
                    out.insert("workbookSettings".into(), c["workbookSettings"].clone());
                }
                if let Some(limit) = old.map(|o| &o["rowLimit"]).filter(|l| !l.is_null()) {
                    out.insert(
                        "rowLimit".into(),
                        json!(row_limit(limit, "config.rowLimit")?),
                    );
                }
            }
            (None, Some(c)) => {
                object_of(c, "config")?;
                out.insert(
                    "title".into(),
                    json!(string_of(&c["title"], "config.title")?),
                );
                out.insert(
                    "messageBody".into(),
                    json!(string_of(&c["messageBody"], "config.messageBody")?),
                );
                let mut item = json!({"formatOptions": format_options(&c["formatOptions"], "config.formatOptions")?});
                match &c["chartId"] {
                    Value::Null => item["workbookExportSource"] = json!({"type": "all"}),
                    id => {
                        let id = string_of(id, "config.chartId")?;
                        if !has_element(doc, id) {
                            return Err(bad(
                                "config.chartId",
                                format!("the workbook has no element `{id}`"),
                            ));
                        }
                        item["chartId"] = json!(id);
                        item["workbookExportSource"] = json!({"type": "element", "nodeIds": [id]});
                    }
                }
                out.insert("notificationAttachments".into(), json!([item]));
                out.insert(
                    "includeLink".into(),
                    json!(flag(c, "includeLink", "config")?),
                );
                out.insert(
                    "runAsRecipient".into(),
                    json!(flag(c, "runAsRecipient", "config")?),
                );
                out.insert(
                    "attachmentSettings".into(),
                    json!({"mergePdfAttachments": false, "zipAttachments": false}),
                );
                out.insert("conditionOptions".into(), json!({"type": "always"}));
                out.insert("notificationName".into(), json!(wb.node.name));
                if !c["rowLimit"].is_null() {
                    out.insert(
                        "rowLimit".into(),
                        json!(row_limit(&c["rowLimit"], "config.rowLimit")?),
                    );
                }
                if !c["parameters"].is_null() {
                    out.insert(
                        "workbookSettings".into(),
                        json!({"controlValues": object_of(&c["parameters"], "config.parameters")?}),
                    );
                }
            }
            (None, None) => return Err(bad("configV2", "is required (or the older `config`)")),
        }
        Ok(Value::Object(out))
    }

    /// A version tag on this workbook and/or one of its saved views, with the view's
    /// explore key.
    async fn variant(&self, workbook: InodeId, v: &Value) -> ServiceResult<Value> {
        let field = "configV2.workbookVariant";
        object_of(v, field)?;
        let mut out = json!({"tagId": "", "exploreKey": "", "bookmarkId": ""});
        if !v["tagId"].is_null() {
            let id = string_of(&v["tagId"], &format!("{field}.tagId"))?;
            let on_workbook = match id.parse::<Uuid>() {
                Ok(tag) => self
                    .store
                    .workbook_tags(&[workbook])
                    .await?
                    .iter()
                    .any(|t| t.tag_id == tag),
                Err(_) => false,
            };
            if !on_workbook {
                return Err(bad(
                    &format!("{field}.tagId"),
                    format!("the workbook has no version tag `{id}`"),
                ));
            }
            out["tagId"] = json!(id);
        }
        if !v["bookmarkId"].is_null() {
            let id = string_of(&v["bookmarkId"], &format!("{field}.bookmarkId"))?;
            let found = match id.parse::<Uuid>() {
                Ok(b) => self
                    .store
                    .bookmark(b)
                    .await?
                    .filter(|b| b.workbook_id == workbook),
                Err(_) => None,
            };
            let b = found.ok_or_else(|| {
                bad(
                    &format!("{field}.bookmarkId"),
                    format!("the workbook has no saved view `{id}`"),
                )
            })?;
            out["bookmarkId"] = json!(id);
            out["exploreKey"] = json!(b.explore_key);
        }
        Ok(out)
    }
}

//! The checks of an export schedule's parts, and the pieces of its settings that
//! need only the request and the workbook's document: attachments' formats, condition
//! values and options, recipients' addresses, the cron spec and the time zone.

use serde_json::{json, Map, Value};
use sigil_core::workbook::Workbook;

use crate::error::{ServiceError, ServiceResult};

pub(super) fn bad(field: &str, message: impl Into<String>) -> ServiceError {
    let message = message.into();
    ServiceError::invalid_field(field, format!("{field}: {message}"))
}

pub(super) fn string_of<'a>(v: &'a Value, field: &str) -> ServiceResult<&'a str> {
    v.as_str().ok_or_else(|| bad(field, "must be a string"))
}

pub(super) fn object_of<'a>(v: &'a Value, field: &str) -> ServiceResult<&'a Map<String, Value>> {
    v.as_object().ok_or_else(|| bad(field, "must be an object"))
}

pub(super) fn flag(v: &Value, key: &str, field: &str) -> ServiceResult<bool> {
    match &v[key] {
        Value::Null => Ok(false),
        Value::Bool(b) => Ok(*b),
        _ => Err(bad(&format!("{field}.{key}"), "must be true or false")),
    }
}

pub(super) fn one_of<'a>(v: &'a Value, field: &str, allowed: &[&str]) -> ServiceResult<&'a str> {
    let s = string_of(v, field)?;
    if allowed.contains(&s) {
        Ok(s)
    } else {
        Err(bad(field, format!("must be one of {}", allowed.join(", "))))
    }
}

/// Five fields (minute hour day month weekday), each of cron's characters.
pub(super) fn check_cron(spec: &str) -> ServiceResult<()> {
    let fields: Vec<&str> = spec.split_whitespace().collect();
    let ok = fields.len() == 5
        && fields.iter().all(|f| {
            f.chars()
                .all(|c| c.is_ascii_alphanumeric() || "*/,-?LW#".contains(c))
        });
    if ok {
        Ok(())
    } else {
        Err(bad(
            "schedule.cronSpec",
            format!("`{spec}` is not a cron expression of five fields, such as `0 9 * * 1`"),
        ))
    }
}

/// An IANA name (`UTC`, `America/New_York`, `Etc/GMT+5`); sigil holds no time-zone
/// database, so the name's shape is checked, not its existence.
pub(super) fn check_timezone(tz: &str) -> ServiceResult<()> {
    let ok = !tz.is_empty()
        && tz.len() <= 64
        && tz.split('/').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c))
        })
        && tz.starts_with(|c: char| c.is_ascii_uppercase());
    if ok {
        Ok(())
    } else {
        Err(bad(
            "schedule.timezone",
            format!("`{tz}` is not a time-zone name such as `America/New_York` or `UTC`"),
        ))
    }
}

pub(super) fn check_url(v: &str, field: &str) -> ServiceResult<()> {
    match url::Url::parse(v) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        _ => Err(bad(field, format!("`{v}` is not an http(s) URL"))),
    }
}

pub(super) const ATTACHMENT_TYPES: &[&str] =
    &["CSV", "JSONL", "JSON", "XLSX", "PDF", "PNG", "NONE"];

/// A request's `formatOptions`, as Sigma answers them (`XLSX` is `EXCEL`; a PDF has
/// its layout and scale, a PNG its size).
pub(super) fn format_options(v: &Value, field: &str) -> ServiceResult<Value> {
    object_of(v, field)?;
    let kind = one_of(&v["type"], &format!("{field}.type"), ATTACHMENT_TYPES)?;
    Ok(match kind {
        "XLSX" => json!({"type": "EXCEL"}),
        "PDF" => {
            let layout = match &v["layout"] {
                Value::Null => "portrait",
                l => one_of(l, &format!("{field}.layout"), &["portrait", "landscape"])?,
            };
            json!({"type": "PDF", "layout": layout, "scaleFactor": 1})
        }
        "PNG" => json!({"type": "PNG", "pixelWidth": null, "pixelHeight": null}),
        other => json!({"type": other}),
    })
}

pub(super) fn ids_in(
    v: &Value,
    field: &str,
    known: &dyn Fn(&str) -> bool,
    what: &str,
) -> ServiceResult<Vec<String>> {
    let list = v.as_array().ok_or_else(|| bad(field, "must be a list"))?;
    if list.is_empty() {
        return Err(bad(field, format!("must name at least one {what}")));
    }
    list.iter()
        .enumerate()
        .map(|(i, id)| {
            let f = format!("{field}[{i}]");
            let id = string_of(id, &f)?;
            if known(id) {
                Ok(id.to_owned())
            } else {
                Err(bad(&f, format!("the workbook has no {what} `{id}`")))
            }
        })
        .collect()
}

pub(super) fn has_page(doc: &Workbook, id: &str) -> bool {
    doc.pages.iter().any(|p| p.page_id == id)
}

pub(super) fn has_element(doc: &Workbook, id: &str) -> bool {
    doc.pages
        .iter()
        .flat_map(|p| &p.elements)
        .any(|e| e.element_id() == id)
}

/// A request's condition value, as Sigma answers it.
pub(super) fn condition_value(v: &Value, field: &str) -> ServiceResult<Value> {
    if v.is_null() {
        return Ok(json!({"type": "null"}));
    }
    object_of(v, field)?;
    let kind = one_of(
        &v["type"],
        &format!("{field}.type"),
        &["boolean", "integer", "text", "fixed-date"],
    )?;
    Ok(match kind {
        "boolean" => match &v["value"] {
            Value::Bool(b) => json!({"type": "bool", "val": b}),
            _ => return Err(bad(&format!("{field}.value"), "must be true or false")),
        },
        "integer" => {
            json!({"type": "integer", "val": string_of(&v["value"], &format!("{field}.value"))?})
        }
        "text" => {
            json!({"type": "string", "val": string_of(&v["value"], &format!("{field}.value"))?})
        }
        _ => json!({"type": "datetime", "val": string_of(&v["date"], &format!("{field}.date"))?}),
    })
}

pub(super) const OPS: &[&str] = &[
    "Equals",
    "GreaterThan",
    "GreaterThanEq",
    "LessThan",
    "LessThanEq",
    "NotEquals",
    "IsNull",
    "IsNotNull",
    "Contains",
    "StartsWith",
    "EndsWith",
];

pub(super) fn condition_options(v: &Value, doc: &Workbook) -> ServiceResult<Value> {
    let field = "configV2.conditionOptions";
    if v.is_null() {
        return Ok(json!({"type": "always"}));
    }
    object_of(v, field)?;
    if one_of(
        &v["type"],
        &format!("{field}.type"),
        &["always", "workbook"],
    )? == "always"
    {
        return Ok(json!({"type": "always"}));
    }
    let f = format!("{field}.condition");
    let c = &v["condition"];
    object_of(c, &f)?;
    let kind = one_of(
        &c["type"],
        &format!("{f}.type"),
        &["isEmpty", "isNotEmpty", "column"],
    )?;
    let element = string_of(&c["elementId"], &format!("{f}.elementId"))?;
    if !has_element(doc, element) {
        return Err(bad(
            &format!("{f}.elementId"),
            format!("the workbook has no element `{element}`"),
        ));
    }
    let condition = if kind == "column" {
        json!({
            "type": "sheetColumn",
            "sheetId": element,
            "columnId": string_of(&c["columnId"], &format!("{f}.columnId"))?,
            "op": one_of(&c["op"], &format!("{f}.op"), OPS)?,
            "mode": one_of(&c["mode"], &format!("{f}.mode"), &["any", "all"])?,
            "value": condition_value(&c["value"], &format!("{f}.value"))?,
        })
    } else {
        json!({"type": kind, "sheetId": element})
    };
    Ok(json!({"type": "workbook", "conditions": [condition]}))
}

pub(super) fn row_limit(v: &Value, field: &str) -> ServiceResult<u64> {
    v.as_f64()
        .filter(|n| n.fract() == 0.0 && (1.0..=1_000_000_000.0).contains(n))
        .map(|n| n as u64)
        .ok_or_else(|| bad(field, "must be a whole number from 1"))
}

//! Schemas for `/openapi.json` of what the server checks: enums built from the
//! domain's own lists, so the document cannot drift from what is accepted, and the
//! patterns of query values.

use std::borrow::Cow;

use sigil_core::{GrantPermission, Permission, UserKind, Visibility};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

fn string_enum(values: impl IntoIterator<Item = &'static str>, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .description(Some(description))
        .into()
}

/// A string schema with only a pattern: for `#[schema(schema_with = …)]`.
fn pattern(re: &str, description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(re))
        .description(Some(description))
}

macro_rules! documented_enum {
    ($ty:ident, $name:literal, $values:expr, $doc:literal) => {
        #[doc = $doc]
        pub struct $ty;

        impl utoipa::PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                string_enum($values, $doc)
            }
        }

        impl utoipa::ToSchema for $ty {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

documented_enum!(
    UserKindSchema,
    "UserKind",
    UserKind::ALL.map(UserKind::as_str),
    "Sigma's `userKind`."
);
documented_enum!(
    VisibilitySchema,
    "Visibility",
    Visibility::ALL.map(Visibility::as_str),
    "A team's visibility."
);
documented_enum!(
    GrantPermissionSchema,
    "GrantPermission",
    GrantPermission::ALL.map(GrantPermission::as_str),
    "What a grant on a workspace, folder or document allows."
);
documented_enum!(
    WorkbookPermissionSchema,
    "WorkbookPermission",
    [
        GrantPermission::View,
        GrantPermission::Explore,
        GrantPermission::Edit
    ]
    .map(GrantPermission::as_str),
    "What a grant on a workbook allows."
);
documented_enum!(
    PermissionSchema,
    "Permission",
    Permission::ALL.map(Permission::as_str),
    "A feature permission of an account type."
);

/// A page number (`page`): a whole number from 1.
pub fn page_number() -> ObjectBuilder {
    pattern("^[1-9][0-9]*$", "Page number, from 1.")
}

/// A text a list is searched or filtered by: no control characters.
pub fn search_text() -> ObjectBuilder {
    pattern(
        "^[^\\u0000-\\u001F\\u007F-\\u009F]*$",
        "Matched without regard to case; control characters are refused.",
    )
}

//! What sigil deliberately does not honour of Sigma's document, in one place, each with
//! its reason; the README's "Conformance exceptions" table lists the same. An entry
//! that is no longer needed fails the test, so this list stays true.
//!
//! `at` is `""` (the whole operation), `query:name` or `query:name=value`,
//! `body:.path` (a property, `.path|i` a `oneOf` branch, `.path=value` an enum
//! value), or `response:.path` (array items are `[]`).

pub struct Exception {
    pub op: &'static str,
    pub at: &'static str,
    pub why: &'static str,
}

const NOT_INODE: &str = "a permission of connections (granted by `/v2/connections/{id}/grants`) \
     or of version tags: grants on files take view, explore, organize and edit (400 names them)";

const NO_WAREHOUSE: &str = "sigil keeps connections as records and reads no warehouse: \
     syncing, dbt artifacts and a table's columns answer 501";

const PATH_ONE_SEGMENT: &str = "a path parameter of type `array` or `object`: it fills one \
     path segment, so sigil refuses the connector (400 names the parameter) rather than guess a join";

const NO_SOURCES: &str = "choosing a workbook's data sources as it is tagged: sigil's workbooks \
     have none, so a non-empty list answers 501";

const NOT_SCHEDULED: &str = "an export schedule's alerts, dashboard settings, dynamic exports and \
     recipients and embed options: no request to the API sets them, so sigil's schedules have none";

pub const EXCEPTIONS: &[Exception] = &[
    Exception {
        op: "updateWorkbookSchedule",
        at: "response:.configV2.notificationAttachments[].chartId",
        why: "an attachment's chart, which only the older `config` names: a `PATCH` sends `configV2`, whose attachments name pages and elements instead",
    },
    Exception {
        op: "postWorkbookSchedule",
        at: "response:.configV2.alertConfig",
        why: NOT_SCHEDULED,
    },
    Exception {
        op: "postWorkbookSchedule",
        at: "response:.configV2.dashboardSettings",
        why: NOT_SCHEDULED,
    },
    Exception {
        op: "postWorkbookSchedule",
        at: "response:.configV2.dynamicExportSettings",
        why: NOT_SCHEDULED,
    },
    Exception {
        op: "postWorkbookSchedule",
        at: "response:.configV2.dynamicRecipientSettings",
        why: NOT_SCHEDULED,
    },
    Exception {
        op: "postWorkbookSchedule",
        at: "response:.configV2.embedOpts",
        why: NOT_SCHEDULED,
    },
    Exception {
        op: "updateWorkbookSchedule",
        at: "response:.configV2.alertConfig",
        why: NOT_SCHEDULED,
    },
    Exception {
        op: "updateWorkbookSchedule",
        at: "response:.configV2.dashboardSettings",
        why: NOT_SCHEDULED,
    },
    Exception {
        op: "updateWorkbookSchedule",
        at: "response:.configV2.dynamicExportSettings",
        why: NOT_SCHEDULED,
    },
    Exception {
        op: "updateWorkbookSchedule",
        at: "response:.configV2.dynamicRecipientSettings",
        why: NOT_SCHEDULED,
    },
    Exception {
        op: "updateWorkbookSchedule",
        at: "response:.configV2.embedOpts",
        why: NOT_SCHEDULED,
    },
    Exception {
        op: "listWorkbookSchedules",
        at: "response:[].configV2.alertConfig",
        why: NOT_SCHEDULED,
    },
    Exception {
        op: "listWorkbookSchedules",
        at: "response:[].configV2.dashboardSettings",
        why: NOT_SCHEDULED,
    },
    Exception {
        op: "listWorkbookSchedules",
        at: "response:[].configV2.dynamicExportSettings",
        why: NOT_SCHEDULED,
    },
    Exception {
        op: "listWorkbookSchedules",
        at: "response:[].configV2.dynamicRecipientSettings",
        why: NOT_SCHEDULED,
    },
    Exception {
        op: "listWorkbookSchedules",
        at: "response:[].configV2.embedOpts",
        why: NOT_SCHEDULED,
    },
    Exception {
        op: "v2_1_listWorkbookSchedules",
        at: "response:.entries[].configV2.alertConfig",
        why: NOT_SCHEDULED,
    },
    Exception {
        op: "v2_1_listWorkbookSchedules",
        at: "response:.entries[].configV2.dashboardSettings",
        why: NOT_SCHEDULED,
    },
    Exception {
        op: "v2_1_listWorkbookSchedules",
        at: "response:.entries[].configV2.dynamicExportSettings",
        why: NOT_SCHEDULED,
    },
    Exception {
        op: "v2_1_listWorkbookSchedules",
        at: "response:.entries[].configV2.dynamicRecipientSettings",
        why: NOT_SCHEDULED,
    },
    Exception {
        op: "v2_1_listWorkbookSchedules",
        at: "response:.entries[].configV2.embedOpts",
        why: NOT_SCHEDULED,
    },
    Exception {
        op: "syncConnectionPath",
        at: "",
        why: NO_WAREHOUSE,
    },
    Exception {
        op: "postConnectionDbtArtifacts",
        at: "",
        why: NO_WAREHOUSE,
    },
    Exception {
        op: "listConnectionTableColumns",
        at: "",
        why: NO_WAREHOUSE,
    },
    Exception {
        op: "createApiConnector",
        at: "body:.params.pathParams[].type=array",
        why: PATH_ONE_SEGMENT,
    },
    Exception {
        op: "createApiConnector",
        at: "body:.params.pathParams[].type=object",
        why: PATH_ONE_SEGMENT,
    },
    Exception {
        op: "updateApiConnector",
        at: "body:.params.pathParams[].type=array",
        why: PATH_ONE_SEGMENT,
    },
    Exception {
        op: "updateApiConnector",
        at: "body:.params.pathParams[].type=object",
        why: PATH_ONE_SEGMENT,
    },
    Exception {
        op: "create",
        at: "body:|3",
        why: "`type: report`: sigil holds no reports; creating one answers 501",
    },
    Exception {
        op: "createGrant",
        at: "body:.permission|0",
        why: NOT_INODE,
    },
    Exception {
        op: "createGrant",
        at: "body:.permission|1=create",
        why: NOT_INODE,
    },
    Exception {
        op: "createGrant",
        at: "body:.permission|1=annotate",
        why: NOT_INODE,
    },
    Exception {
        op: "createGrant",
        at: "body:.permission|1=apply",
        why: NOT_INODE,
    },
    Exception {
        op: "createGrant",
        at: "body:.permission|2=apply",
        why: NOT_INODE,
    },
    Exception {
        op: "tagWorkbook",
        at: "body:.sourceMappingConfig",
        why: NO_SOURCES,
    },
    Exception {
        op: "tagWorkbook",
        at: "body:.dataModelSourceTaggedVersions",
        why: NO_SOURCES,
    },
    Exception {
        op: "tagWorkbook",
        at: "body:.sourceVersions",
        why: NO_SOURCES,
    },
    Exception {
        op: "exportWorkbook",
        at: "",
        why: "exporting data needs warehouse queries, which sigil does not run: 501 after the workbook is found",
    },
    Exception {
        op: "sendWorkbook",
        at: "",
        why: "sending needs rendered data, which sigil does not produce: 501 after the workbook is found; nothing is sent",
    },
    Exception {
        op: "createWorkbookGrant",
        at: "body:.grants[].tagId",
        why: "a grant on a version tag: sigil holds no version tags yet, so one answers 501",
    },
    Exception {
        op: "listWorkbookElements",
        at: "response:.entries[].vizualizationType",
        why: "only charts and tables have one; sigil's elements are controls and buttons",
    },
    Exception {
        op: "listWorkbookElements",
        at: "response:.entries[].error",
        why: "Sigma reports an element's query error here; sigil runs no queries",
    },
    Exception {
        op: "listWorkbookPageElements",
        at: "response:.entries[].vizualizationType",
        why: "only charts and tables have one; sigil's elements are controls and buttons",
    },
    Exception {
        op: "listWorkbookPageElements",
        at: "response:.entries[].error",
        why: "Sigma reports an element's query error here; sigil runs no queries",
    },
];

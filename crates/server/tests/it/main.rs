//! The server's integration tests, in one binary so that the harness and the crate
//! graph are compiled and linked once: each module is one area, against the real app
//! started in process on `127.0.0.1:0` with a temporary database
//! ([`sigil_testkit::TestApp`]).

mod common {
    pub use sigil_testkit::*;
}

mod account_types;
mod admin_api;
mod api_surface;
mod auth_api;
mod concurrency;
mod conformance;
mod connections;
mod connectors;
mod fidelity;
mod members_teams;
mod multinode;
mod patches;
mod permissions_matrix;
mod schedules;
mod tags;
mod test_double;
mod user_attributes;
mod warehouse_connections;
mod web;
mod workbook_records;
mod workbooks;
mod workspaces;

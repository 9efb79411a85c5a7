//! sigil's service layer: every operation a member can do, shared by the REST API and
//! the web pages. Each operation takes a checked [`Caller`] and typed input, and
//! answers domain values or one [`ServiceError`]. Nothing here knows HTTP; the store
//! is reached only from here.
//!
//! Each service is a struct built once at start-up ([`Services::new`]) holding only
//! what it needs (a store handle, its caches, the engine, the services it builds on);
//! caches live beside the writes of the data they hold.

pub mod access;
pub mod account_types;
pub mod api_credentials;
pub mod auth;
pub mod bootstrap;
pub mod cache;
pub mod caller;
pub mod config;
pub mod connections;
pub mod connectors;
pub mod documents;
pub mod error;
pub mod favorites;
pub mod files;
pub mod grants;
pub mod members;
pub mod paging;
pub mod runs;
pub mod schedules;
pub mod secret;
pub mod seed;
pub mod sessions;
pub mod startup;
pub mod tags;
pub mod teams;
pub mod testing;
pub mod user_attributes;
pub mod workbook_records;
pub mod workbooks;
pub mod workspaces;

use std::sync::Arc;

use sigil_core::Organization;
use sigil_store::Store;

pub use caller::Caller;
pub use config::Config;
pub use error::{ServiceError, ServiceResult};
/// The records services answer, as the store defines them.
pub use sigil_store::{
    ApiCall, ApiConnector, ApiCredential, ApiDocument, AttributeHolder, AttributeValue, Bookmark,
    Dialect, Embed, Grant, Inode, SnapshotInfo, UserAttribute, VersionTag, WorkbookTag,
};

use access::Access;
use account_types::AccountTypes;
use api_credentials::ApiCredentials;
use auth::{Auth, AuthParts, RevocationSet, TokenIssuer};
use connectors::{AuditLog, Connectors, ConnectorsParts};
use documents::Documents;
use files::Files;
use grants::Grants;
use members::Members;
use paging::PageCursors;
use startup::Keys;
use teams::Teams;
use workbooks::Workbooks;
use workspaces::Workspaces;

/// Every service, built once and shared.
pub struct Services {
    pub config: Arc<Config>,
    pub organization: Organization,
    pub auth: Arc<Auth>,
    pub account_types: Arc<AccountTypes>,
    pub members: Arc<Members>,
    pub teams: Arc<Teams>,
    pub access: Arc<Access>,
    pub files: Arc<Files>,
    pub workspaces: Arc<Workspaces>,
    pub grants: Arc<Grants>,
    pub api_credentials: Arc<ApiCredentials>,
    pub documents: Arc<Documents>,
    pub connectors: Arc<Connectors>,
    pub workbooks: Arc<Workbooks>,
    pub favorites: Arc<favorites::Favorites>,
    pub user_attributes: Arc<user_attributes::UserAttributes>,
    pub tags: Arc<tags::Tags>,
    pub workbook_records: Arc<workbook_records::WorkbookRecords>,
    pub connections: Arc<connections::Connections>,
    pub schedules: Arc<schedules::Schedules>,
    pub sessions: Arc<sessions::Sessions>,
    pub testing: Arc<testing::Testing>,
    store: Arc<dyn Store>,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services")
            .field("organization", &self.organization.id)
            .field("store", &self.store.dialect())
            .finish_non_exhaustive()
    }
}

impl Services {
    /// Builds every service on an initialized database. Must run inside a Tokio
    /// runtime: the call log's writer is a task.
    pub fn new(
        config: Arc<Config>,
        store: Arc<dyn Store>,
        keys: &Keys,
        organization: Organization,
    ) -> Result<Self, ServiceError> {
        let keyring = keys
            .sealing_keyring(&config)
            .map_err(ServiceError::internal)?;
        let engine = Arc::new(
            sigil_connect::engine::Engine::new(startup::engine_config(&config)?)
                .map_err(|e| ServiceError::internal(anyhow::anyhow!("the HTTP client: {e}")))?,
        );
        let org = organization.id;
        let cursors = Arc::new(PageCursors::new());
        let revocations = Arc::new(RevocationSet::new());
        let account_types = Arc::new(AccountTypes::new(store.clone(), org));
        let members = Arc::new(Members::new(
            store.clone(),
            org,
            account_types.clone(),
            revocations.clone(),
            cursors.clone(),
        ));
        let auth = Arc::new(Auth::new(AuthParts {
            store: store.clone(),
            organization: org,
            tokens: TokenIssuer::new(&keys.token_signing, config.auth.access_token_ttl_secs),
            secrets: auth::secrets::ClientSecrets::new(keys.secret_hashing, keyring.clone()),
            revocations,
            account_types: account_types.clone(),
            members: members.clone(),
            refresh_ttl_secs: config.auth.refresh_token_ttl_secs,
        }));
        let teams = Arc::new(Teams::new(store.clone(), cursors.clone()));
        let access = Arc::new(Access::new(
            store.clone(),
            members.clone(),
            account_types.clone(),
        ));
        let workspaces = Arc::new(Workspaces::new(
            store.clone(),
            access.clone(),
            cursors.clone(),
        ));
        let files = Arc::new(Files::new(
            store.clone(),
            access.clone(),
            members.clone(),
            account_types.clone(),
            workspaces.clone(),
            cursors.clone(),
        ));
        let grants = Arc::new(Grants::new(
            store.clone(),
            access.clone(),
            members.clone(),
            cursors,
        ));
        let connections = Arc::new(connections::Connections::new(
            store.clone(),
            keyring.clone(),
            grants.clone(),
            config.allowed_networks().map_err(ServiceError::internal)?,
            std::time::Duration::from_secs(5),
        ));
        let api_credentials = Arc::new(ApiCredentials::new(store.clone(), keyring));
        let documents = Arc::new(Documents::new(
            store.clone(),
            engine.clone(),
            &config.documents,
        ));
        let connectors = Arc::new(Connectors::new(ConnectorsParts {
            store: store.clone(),
            engine,
            credentials: api_credentials.clone(),
            documents: documents.clone(),
            audit: AuditLog::spawn(store.clone()),
            record_response_bodies: config.connect.record_response_bodies,
        }));
        let favorites = Arc::new(favorites::Favorites::new(
            store.clone(),
            access.clone(),
            account_types.clone(),
        ));
        let workbooks = Arc::new(Workbooks::new(
            store.clone(),
            access.clone(),
            files.clone(),
            connectors.clone(),
            favorites.clone(),
        ));
        let sessions = Arc::new(sessions::Sessions::new(
            store.clone(),
            auth.clone(),
            config.web.clone(),
        ));
        let testing = Arc::new(testing::Testing::new(
            store.clone(),
            auth.clone(),
            sessions.clone(),
            &config.testing,
        ));
        let user_attributes = Arc::new(user_attributes::UserAttributes::new(store.clone(), org));
        let tags = Arc::new(tags::Tags::new(
            store.clone(),
            access.clone(),
            workbooks.clone(),
        ));
        let workbook_records = Arc::new(workbook_records::WorkbookRecords::new(
            store.clone(),
            access.clone(),
            workbooks.clone(),
        ));
        let schedules = Arc::new(schedules::Schedules::new(store.clone(), workbooks.clone()));
        Ok(Services {
            schedules,
            connections,
            workbook_records,
            tags,
            user_attributes,
            favorites,
            testing,
            sessions,
            config,
            organization,
            auth,
            account_types,
            members,
            teams,
            access,
            files,
            workspaces,
            grants,
            api_credentials,
            documents,
            connectors,
            workbooks,
            store,
        })
    }

    /// Which database this is.
    pub fn dialect(&self) -> Dialect {
        self.store.dialect()
    }

    /// A round trip to the database, for health checks.
    pub async fn ping(&self) -> ServiceResult<()> {
        self.store.ping().await.map_err(|e| {
            tracing::warn!(error = %e, "health check: database unreachable");
            ServiceError::Unavailable("the database is unreachable".into())
        })
    }

    /// The URL clients reach this server at: the public URL, or the listen address.
    pub fn base_url(&self) -> String {
        self.config.base_url()
    }
}

//! `/api/integrations`: Leanplum's connection state, connecting a
//! verified credential pair and disconnecting.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use sync_model::api::{
    ConnectRequest, ConnectionStatus, Integration, Integrations,
};
use sync_model::{check_credentials, CredentialField};
use tracing::Instrument;

use super::{admin, ApiJson};
use crate::error::Failure;
use crate::leanplum::{scrub, Credentials, LeanplumError};
use crate::{unix_now, SharedState};

/// The Leanplum integration as it stands.
pub fn leanplum_integration(
    state: &SharedState,
) -> Result<Integration, Failure> {
    let status = match state.store.connection()? {
        None => ConnectionStatus::NotConnected,
        Some(c) => match c.failure {
            Some(reason) => ConnectionStatus::Failing {
                app_id: c.app_id,
                reason: scrub(&reason, &c.api_secret),
            },
            None => ConnectionStatus::Connected {
                app_id: c.app_id,
                verified_at: c.verified_at,
            },
        },
    };
    Ok(Integration {
        id: "leanplum".into(),
        name: "Leanplum".into(),
        description: "Send cohorts to Leanplum as user attributes for \
                      targeting campaigns."
            .into(),
        status,
        sandbox: state.config.leanplum_sandbox,
    })
}

/// `GET /api/integrations`.
pub async fn list(
    State(state): State<SharedState>,
) -> Result<Json<Integrations>, Failure> {
    Ok(Json(Integrations {
        integrations: vec![leanplum_integration(&state)?],
    }))
}

fn field_name(field: CredentialField) -> &'static str {
    match field {
        CredentialField::AppId => "app_id",
        CredentialField::ApiSecret => "api_secret",
    }
}

/// `POST /api/integrations/leanplum/connect`: checks the pair, asks
/// Leanplum, and stores it only when Leanplum accepts it.
pub async fn connect(
    State(state): State<SharedState>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ConnectRequest>,
) -> Result<Json<Integration>, Failure> {
    admin(&state, &headers)?;
    let check = check_credentials(&request.app_id, &request.api_secret);
    if let Some(first) = check.errors.first() {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            "invalid_credentials",
            scrub(&first.message, &check.api_secret),
        )
        .on_field(field_name(first.field)));
    }
    let credentials = Credentials {
        app_id: check.app_id.clone(),
        api_secret: check.api_secret.clone(),
    };
    let span =
        tracing::info_span!("connect_leanplum", app_id = %credentials.app_id);
    let verified = state.leanplum.verify(&credentials).instrument(span).await;
    match verified {
        Ok(()) => {}
        Err(LeanplumError::Refused { reason, .. }) => {
            return Err(Failure::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "leanplum_rejected",
                format!(
                    "Leanplum rejected this App ID and API secret: {}",
                    credentials.scrub(&reason)
                ),
            ));
        }
        Err(LeanplumError::Unreachable(reason)) => {
            return Err(Failure::new(
                StatusCode::BAD_GATEWAY,
                "leanplum_unreachable",
                format!(
                    "Leanplum could not be reached to check the credentials \
                     ({}). Nothing was saved; try again in a minute.",
                    credentials.scrub(&reason)
                ),
            ));
        }
    }
    let now = unix_now();
    state.store.save_connection(
        &credentials.app_id,
        &credentials.api_secret,
        now,
    )?;
    let resumed = state.store.resume_syncs_for(&credentials.app_id, now)?;
    tracing::info!(app_id = %credentials.app_id, resumed, "leanplum connected");
    state.scheduler.wake();
    Ok(Json(leanplum_integration(&state)?))
}

/// `POST /api/integrations/leanplum/disconnect`: forgets the pair and
/// pauses active syncs until the same App ID is connected again.
pub async fn disconnect(
    State(state): State<SharedState>,
    headers: HeaderMap,
) -> Result<Json<Integration>, Failure> {
    admin(&state, &headers)?;
    state.store.delete_connection()?;
    let paused = state.store.pause_active_syncs("disconnected")?;
    tracing::info!(paused, "leanplum disconnected");
    Ok(Json(leanplum_integration(&state)?))
}

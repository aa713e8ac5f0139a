//! The client-credentials grant at the login host (§4.1, §4.2).

use super::*;

/// The client-credentials grant at the login host (§4.1): Basic auth, form body. The token
/// endpoint's own rate limit is a 400 `invalid_request` "rate limit exceeded" (§4.2) and is
/// retried like a 429; 429 (with `Retry-After`) and 5xx are retried too.
pub async fn client_credentials(
    http: &reqwest::Client,
    retry: &RetryPolicy,
    ctx: &AuthContext,
    secret: &SecretString,
    scopes: &[String],
) -> Result<AccessToken, GenesysError> {
    let url = format!("{}/oauth/token", ctx.login);
    let mut form: Vec<(&str, String)> = vec![("grant_type", "client_credentials".into())];
    if !scopes.is_empty() {
        form.push(("scope", scopes.join(" ")));
    }
    let action = format!("the token request (client id from {})", ctx.id_source);
    let mut tries = Attempts::new(retry);
    loop {
        let sent = async {
            let r = http
                .post(&url)
                .basic_auth(&ctx.client_id, Some(secret.expose_secret()))
                .header("Accept", "application/json")
                .form(&form)
                .send()
                .await?;
            read_answer(r).await
        }
        .await;
        let wait = match sent {
            Err(e) => {
                let Some(w) = tries.backoff() else {
                    return Err(GenesysError::Transport {
                        action,
                        reason: crate::error::chain(&e),
                    });
                };
                w
            }
            Ok(Answer {
                status,
                retry_after,
                body,
                ..
            }) => {
                if status.is_success() {
                    let t: TokenBody =
                        serde_json::from_slice(&body.0).map_err(|e| GenesysError::Api {
                            action: action.clone(),
                            status: status.as_u16(),
                            code: "unexpected.response".into(),
                            message: e.to_string(),
                            correlation: None,
                        })?;
                    return Ok(AccessToken {
                        access_token: t.access_token,
                        token_type: t.token_type,
                        expires_in: t.expires_in,
                    });
                }
                let err: AuthErrorBody = serde_json::from_slice(&body.0).unwrap_or_default();
                let description = if err.error_description.is_empty() {
                    err.description.clone()
                } else {
                    err.error_description.clone()
                };
                let rate_limited = status == StatusCode::TOO_MANY_REQUESTS
                    || (status == StatusCode::BAD_REQUEST
                        && description
                            .to_ascii_lowercase()
                            .contains("rate limit exceeded"));
                if rate_limited {
                    // The token endpoint's 400 "rate limit exceeded" carries no Retry-After.
                    let retry_after =
                        retry_after.filter(|_| status == StatusCode::TOO_MANY_REQUESTS);
                    match tries.rate_limited(retry_after, "rate limited") {
                        Ok(w) => w,
                        Err(reason) => return Err(GenesysError::RateLimited { action, reason }),
                    }
                } else if status.is_server_error() && status != StatusCode::NOT_IMPLEMENTED {
                    let Some(w) = tries.backoff() else {
                        return Err(GenesysError::Api {
                            action,
                            status: status.as_u16(),
                            code: err.error,
                            message: description,
                            correlation: None,
                        });
                    };
                    w
                } else {
                    return Err(GenesysError::Auth {
                        status: status.as_u16(),
                        error: if err.error.is_empty() {
                            "error".into()
                        } else {
                            err.error
                        },
                        description: if description.is_empty() {
                            "(no description)".into()
                        } else {
                            description
                        },
                        ctx: Box::new(ctx.clone()),
                    });
                }
            }
        };
        tokio::time::sleep(wait).await;
        tries.n += 1;
    }
}

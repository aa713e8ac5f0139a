//! Attribute objects shaped like what the AWS, Genesys Cloud, Kubernetes, random, tls and
//! vault providers write to state, for clean resources and for planted secrets.

use serde_json::{Value, json};

use crate::Rng;

/// Resource types whose state carries no secret (for the catalogue and for `sensitive`).
/// Small glue resources appear two or three times: real states have many of them, and they bring the
/// average instance to about 1 KB (100,000 instances in 100 MB).
pub const CLEAN_TYPES: &[&str] = &[
    "aws_iam_role_policy_attachment",
    "aws_iam_role_policy_attachment",
    "aws_iam_role_policy_attachment",
    "random_id",
    "random_id",
    "random_id",
    "null_resource",
    "null_resource",
    "null_resource",
    "aws_cloudwatch_log_group",
    "aws_cloudwatch_log_group",
    "aws_sns_topic_subscription",
    "aws_sns_topic_subscription",
    "aws_lb_target_group_attachment",
    "aws_lb_target_group_attachment",
    "aws_s3_bucket",
    "aws_iam_role",
    "aws_security_group",
    "aws_instance",
    "aws_lambda_function",
    "aws_route53_record",
    "genesyscloud_routing_queue",
    "genesyscloud_user",
    "genesyscloud_oauth_client",
    "kubernetes_deployment",
];

/// Resource types planted with a secret, in rotation.
pub const SECRET_TYPES: &[&str] = &[
    "random_password",
    "genesyscloud_oauth_client",
    "vault_generic_secret",
    "aws_ssm_parameter",
    "tls_private_key",
];

pub const REGIONS: &[&str] = &[
    "eu-west-1",
    "eu-central-1",
    "us-east-1",
    "us-west-2",
    "ap-southeast-2",
];

/// What one instance holds.
pub struct Generated {
    pub attributes: Value,
    /// `sensitive_attributes` paths (get_attr steps only).
    pub sensitive: Vec<&'static str>,
    /// Attributes that hold a planted secret (the ones tfguard must report).
    pub planted: Vec<&'static str>,
}

fn tags(rng: &mut Rng, name: &str) -> Value {
    json!({
        "Name": name,
        "Environment": rng.pick(&["prod", "staging", "dev"]),
        "Team": rng.pick(&["platform", "contact-center", "data", "payments"]),
        "CostCenter": format!("cc-{}", rng.below(9000) + 1000),
        "ManagedBy": "terraform",
    })
}

/// A clean (secret-free) instance of `rtype`.
pub fn clean(rtype: &str, rng: &mut Rng, name: &str) -> Generated {
    let region = *rng.pick(REGIONS);
    let acct = 100_000_000_000u64 + rng.below(899_999_999_999);
    let t = tags(rng, name);
    let attributes = match rtype {
        "aws_s3_bucket" => json!({
            "acceleration_status": "",
            "acl": null,
            "arn": format!("arn:aws:s3:::{name}-{}", rng.hex(8)),
            "bucket": format!("{name}-{}", rng.hex(8)),
            "bucket_domain_name": format!("{name}.s3.amazonaws.com"),
            "bucket_prefix": "",
            "bucket_regional_domain_name": format!("{name}.s3.{region}.amazonaws.com"),
            "cors_rule": [],
            "force_destroy": false,
            "grant": [{
                "id": rng.hex(64),
                "permissions": ["FULL_CONTROL"],
                "type": "CanonicalUser",
                "uri": ""
            }],
            "hosted_zone_id": "Z1BKCTXD74EZPE",
            "id": format!("{name}-{}", rng.hex(8)),
            "lifecycle_rule": [],
            "logging": [],
            "object_lock_configuration": [],
            "object_lock_enabled": false,
            "policy": "",
            "region": region,
            "replication_configuration": [],
            "request_payer": "BucketOwner",
            "server_side_encryption_configuration": [{
                "rule": [{
                    "apply_server_side_encryption_by_default": [{
                        "kms_master_key_id": "",
                        "sse_algorithm": "AES256"
                    }],
                    "bucket_key_enabled": false
                }]
            }],
            "tags": t.clone(),
            "tags_all": t,
            "timeouts": null,
            "versioning": [{ "enabled": rng.below(2) == 0, "mfa_delete": false }],
            "website": [],
        }),
        "aws_iam_role" => json!({
            "arn": format!("arn:aws:iam::{acct}:role/{name}"),
            "assume_role_policy": format!(
                "{{\"Statement\":[{{\"Action\":\"sts:AssumeRole\",\"Effect\":\"Allow\",\"Principal\":{{\"Service\":\"{}.amazonaws.com\"}}}}],\"Version\":\"2012-10-17\"}}",
                rng.pick(&["ec2", "lambda", "ecs-tasks"])
            ),
            "create_date": "2025-03-14T09:26:53Z",
            "description": format!("Role for {name}"),
            "force_detach_policies": false,
            "id": name,
            "inline_policy": [],
            "managed_policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
            "max_session_duration": 3600,
            "name": name,
            "name_prefix": "",
            "path": "/",
            "permissions_boundary": "",
            "tags": t.clone(),
            "tags_all": t,
            "unique_id": format!("AROA{}", rng.hex(17).to_uppercase()),
        }),
        "aws_security_group" => json!({
            "arn": format!("arn:aws:ec2:{region}:{acct}:security-group/sg-{}", rng.hex(17)),
            "description": "Managed by Terraform",
            "egress": [{
                "cidr_blocks": ["0.0.0.0/0"], "description": "", "from_port": 0,
                "ipv6_cidr_blocks": [], "prefix_list_ids": [], "protocol": "-1",
                "security_groups": [], "self": false, "to_port": 0
            }],
            "id": format!("sg-{}", rng.hex(17)),
            "ingress": [{
                "cidr_blocks": [format!("10.{}.0.0/16", rng.below(255))], "description": "https",
                "from_port": 443, "ipv6_cidr_blocks": [], "prefix_list_ids": [], "protocol": "tcp",
                "security_groups": [], "self": false, "to_port": 443
            }],
            "name": name,
            "name_prefix": "",
            "owner_id": acct.to_string(),
            "revoke_rules_on_delete": false,
            "tags": t.clone(),
            "tags_all": t,
            "timeouts": null,
            "vpc_id": format!("vpc-{}", rng.hex(17)),
        }),
        "aws_instance" => json!({
            "ami": format!("ami-{}", rng.hex(17)),
            "arn": format!("arn:aws:ec2:{region}:{acct}:instance/i-{}", rng.hex(17)),
            "associate_public_ip_address": false,
            "availability_zone": format!("{region}a"),
            "ebs_optimized": true,
            "id": format!("i-{}", rng.hex(17)),
            "instance_state": "running",
            "instance_type": rng.pick(&["t3.micro", "m6i.large", "c6g.xlarge"]),
            "metadata_options": [{
                "http_endpoint": "enabled", "http_put_response_hop_limit": 1,
                "http_tokens": "required", "instance_metadata_tags": "disabled"
            }],
            "monitoring": true,
            "private_dns": format!("ip-10-0-{}-{}.ec2.internal", rng.below(255), rng.below(255)),
            "private_ip": format!("10.0.{}.{}", rng.below(255), rng.below(255)),
            "root_block_device": [{
                "delete_on_termination": true, "encrypted": true, "iops": 3000,
                "kms_key_id": "", "throughput": 125, "volume_size": 20, "volume_type": "gp3"
            }],
            "subnet_id": format!("subnet-{}", rng.hex(17)),
            "tags": t.clone(),
            "tags_all": t,
            "user_data": null,
            "vpc_security_group_ids": [format!("sg-{}", rng.hex(17))],
        }),
        "aws_lambda_function" => json!({
            "architectures": ["arm64"],
            "arn": format!("arn:aws:lambda:{region}:{acct}:function:{name}"),
            "environment": [{ "variables": {
                "LOG_LEVEL": "info",
                "QUEUE_URL": format!("https://sqs.{region}.amazonaws.com/{acct}/{name}"),
            }}],
            "function_name": name,
            "handler": "bootstrap",
            "id": name,
            "last_modified": "2025-06-01T12:00:00.000+0000",
            "memory_size": 256,
            "role": format!("arn:aws:iam::{acct}:role/{name}"),
            "runtime": "provided.al2023",
            "source_code_hash": rng.hex(44),
            "tags": t.clone(),
            "tags_all": t,
            "timeout": 30,
            "tracing_config": [{ "mode": "PassThrough" }],
            "version": "$LATEST",
        }),
        "aws_iam_role_policy_attachment" => json!({
            "id": format!("{name}-{}", rng.hex(20)),
            "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "role": name,
        }),
        "random_id" => json!({
            "b64_std": format!("{}=", rng.hex(11)),
            "b64_url": rng.hex(11),
            "byte_length": 8,
            "dec": rng.next_u64().to_string(),
            "hex": rng.hex(16),
            "id": rng.hex(11),
            "keepers": { "bucket": name },
            "prefix": null,
        }),
        "null_resource" => json!({
            "id": rng.next_u64().to_string(),
            "triggers": { "sha": rng.hex(40) },
        }),
        "aws_cloudwatch_log_group" => json!({
            "arn": format!("arn:aws:logs:{region}:{acct}:log-group:/aws/lambda/{name}"),
            "id": format!("/aws/lambda/{name}"),
            "kms_key_id": "",
            "log_group_class": "STANDARD",
            "name": format!("/aws/lambda/{name}"),
            "retention_in_days": 90,
            "skip_destroy": false,
            "tags": {},
            "tags_all": {},
        }),
        "aws_sns_topic_subscription" => json!({
            "arn": format!("arn:aws:sns:{region}:{acct}:{name}:{}", rng.uuid()),
            "endpoint": format!("arn:aws:sqs:{region}:{acct}:{name}"),
            "id": format!("arn:aws:sns:{region}:{acct}:{name}:{}", rng.uuid()),
            "protocol": "sqs",
            "raw_message_delivery": true,
            "topic_arn": format!("arn:aws:sns:{region}:{acct}:{name}"),
        }),
        "aws_lb_target_group_attachment" => json!({
            "availability_zone": null,
            "id": format!("arn:aws:elasticloadbalancing:{region}:{acct}:targetgroup/{name}-{}", rng.hex(12)),
            "port": 8080,
            "target_group_arn": format!("arn:aws:elasticloadbalancing:{region}:{acct}:targetgroup/{name}"),
            "target_id": format!("i-{}", rng.hex(17)),
        }),
        "aws_route53_record" => json!({
            "alias": [],
            "allow_overwrite": null,
            "fqdn": format!("{name}.example.com"),
            "health_check_id": "",
            "id": format!("Z{}_{name}.example.com_CNAME", rng.hex(12).to_uppercase()),
            "name": format!("{name}.example.com"),
            "records": [format!("{name}.{region}.elb.amazonaws.com")],
            "ttl": 300,
            "type": "CNAME",
            "zone_id": format!("Z{}", rng.hex(12).to_uppercase()),
        }),
        "genesyscloud_routing_queue" => json!({
            "acw_timeout_ms": 300000,
            "acw_wrapup_prompt": "MANDATORY_TIMEOUT",
            "auto_answer_only": true,
            "description": format!("Queue {name}"),
            "enable_manual_assignment": false,
            "enable_transcription": true,
            "id": rng.uuid(),
            "media_settings_call": [{ "alerting_timeout_sec": 8, "service_level_duration_ms": 20000, "service_level_percentage": 0.8 }],
            "media_settings_chat": [{ "alerting_timeout_sec": 30, "service_level_duration_ms": 20000, "service_level_percentage": 0.8 }],
            "name": name,
            "skill_evaluation_method": "ALL",
        }),
        "genesyscloud_user" => json!({
            "acd_auto_answer": false,
            "addresses": [{ "phone_numbers": [{ "extension": "", "media_type": "PHONE", "number": format!("+3120{}", rng.below(9_999_999)), "type": "WORK" }] }],
            "department": "Support",
            "division_id": rng.uuid(),
            "email": format!("{name}@example.com"),
            "id": rng.uuid(),
            "manager": "",
            "name": name,
            "routing_skills": [],
            "state": "active",
            "title": "Agent",
        }),
        // As the seed's state holds it: the secret attribute is present but empty.
        "genesyscloud_oauth_client" => json!({
            "access_token_validity_seconds": 86400,
            "authorized_grant_type": "CODE",
            "client_id": rng.uuid(),
            "client_secret": "",
            "description": format!("OAuth client {name}"),
            "directory_client_secret": null,
            "expose_client_secret": false,
            "id": rng.uuid(),
            "integration_credential_id": "",
            "integration_credential_name": null,
            "name": name,
            "registered_redirect_uris": [format!("https://{name}.example.com/callback")],
            "roles": [],
            "scopes": ["conversation:call", "user:read"],
            "state": "active",
        }),
        _ => json!({
            "id": format!("{}/{name}", rng.pick(&["default", "apps", "payments"])),
            "metadata": [{
                "annotations": {}, "generation": 3,
                "labels": { "app": name, "tier": "backend" },
                "name": name, "namespace": "apps",
                "resource_version": rng.below(9_999_999).to_string(), "uid": rng.uuid()
            }],
            "spec": [{
                "min_ready_seconds": 0, "paused": false, "progress_deadline_seconds": 600,
                "replicas": (rng.below(5) + 1).to_string(), "revision_history_limit": 10,
                "selector": [{ "match_labels": { "app": name } }],
                "template": [{ "spec": [{ "container": [{
                    "image": format!("registry.example.com/{name}:1.{}.0", rng.below(40)),
                    "name": name,
                    "port": [{ "container_port": 8080, "protocol": "TCP" }],
                    "resources": [{ "limits": { "cpu": "500m", "memory": "512Mi" } }]
                }] }] }]
            }],
            "wait_for_rollout": true,
        }),
    };
    let sensitive = if rtype == "genesyscloud_oauth_client" {
        vec!["client_secret"]
    } else {
        Vec::new()
    };
    Generated {
        attributes,
        sensitive,
        planted: Vec::new(),
    }
}

/// An instance of `rtype` (one of `SECRET_TYPES`) that leaks a planted secret.
pub fn planted(rtype: &str, rng: &mut Rng, name: &str) -> Generated {
    let secret = rng.secret();
    match rtype {
        "random_password" => Generated {
            attributes: json!({
                "bcrypt_hash": format!("$2a$10${secret}"),
                "id": "none", "keepers": null, "length": 32, "lower": true, "min_lower": 0,
                "min_numeric": 0, "min_special": 0, "min_upper": 0, "number": true,
                "numeric": true, "override_special": null, "result": secret, "special": false,
                "upper": true,
            }),
            sensitive: vec!["bcrypt_hash", "result"],
            planted: vec!["bcrypt_hash", "result"],
        },
        "genesyscloud_oauth_client" => {
            let mut g = clean(rtype, rng, name);
            g.attributes["client_secret"] = Value::String(secret);
            g.planted = vec!["client_secret"];
            g
        }
        "vault_generic_secret" => {
            let data = json!({ "client_id": rng.uuid(), "client_secret": secret });
            Generated {
                attributes: json!({
                    "data": data.clone(),
                    "data_json": data.to_string(),
                    "delete_all_versions": false,
                    "disable_read": false,
                    "id": format!("secret/data/{name}"),
                    "namespace": null,
                    "path": format!("secret/data/{name}"),
                }),
                sensitive: vec!["data", "data_json"],
                planted: vec!["data", "data_json"],
            }
        }
        // Not in the catalogue: found because the provider marked `value` sensitive (TFG002).
        "aws_ssm_parameter" => Generated {
            attributes: json!({
                "allowed_pattern": "", "arn": format!("arn:aws:ssm:eu-west-1:123456789012:parameter/{name}"),
                "data_type": "text", "description": "", "id": format!("/{name}"),
                "insecure_value": null, "key_id": "alias/aws/ssm", "name": format!("/{name}"),
                "overwrite": null, "tags": {}, "tags_all": {}, "tier": "Standard",
                "type": "SecureString", "value": secret, "version": 1,
            }),
            sensitive: vec!["value"],
            planted: vec!["value"],
        },
        _ => {
            let pem = format!(
                concat!(
                    "-----BEGIN RSA PRIVATE",
                    " KEY-----\n{}{}\n-----END RSA PRIVATE",
                    " KEY-----\n"
                ),
                secret,
                rng.hex(64)
            );
            Generated {
                attributes: json!({
                    "algorithm": "RSA", "ecdsa_curve": "P224", "id": rng.hex(40),
                    "private_key_openssh": pem.replace("RSA", "OPENSSH"),
                    "private_key_pem": pem.clone(),
                    "private_key_pem_pkcs8": pem.replace("RSA ", ""),
                    "public_key_fingerprint_md5": rng.hex(32),
                    "public_key_fingerprint_sha256": format!("SHA256:{}", rng.hex(43)),
                    "public_key_openssh": format!("ssh-rsa {}\n", rng.hex(120)),
                    "public_key_pem": format!("-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n", rng.hex(120)),
                    "rsa_bits": 2048,
                }),
                sensitive: vec![
                    "private_key_openssh",
                    "private_key_pem",
                    "private_key_pem_pkcs8",
                ],
                planted: vec![
                    "private_key_openssh",
                    "private_key_pem",
                    "private_key_pem_pkcs8",
                ],
            }
        }
    }
}

/// `[[{"type":"get_attr","value":"x"}], ...]` as Terraform writes `sensitive_attributes`.
pub fn sensitive_attributes(paths: &[&str]) -> Value {
    Value::Array(
        paths
            .iter()
            .map(|p| json!([{ "type": "get_attr", "value": p }]))
            .collect(),
    )
}

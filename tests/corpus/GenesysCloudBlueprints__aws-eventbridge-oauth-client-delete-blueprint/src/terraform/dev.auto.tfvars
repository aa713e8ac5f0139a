aws_region              = "your-aws-region"
eventbridge_source_name = "aws.partner/genesys.com/cloud/some-uuid/your-source-name"
pager_duty_api_key      = "some-api-key"
pager_duty_service_id   = "some-service-id"

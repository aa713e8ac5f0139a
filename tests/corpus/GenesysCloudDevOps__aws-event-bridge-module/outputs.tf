output "id" {
  value = genesyscloud_integration.AwsEventBridgeIntegration.id
}

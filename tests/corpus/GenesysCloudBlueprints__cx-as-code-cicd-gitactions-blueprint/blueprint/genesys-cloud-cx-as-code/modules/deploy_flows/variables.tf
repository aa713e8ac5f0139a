output "flow_id" {
  value = genesyscloud_flow.classifier_flow.id
}

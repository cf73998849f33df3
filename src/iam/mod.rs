//! Cloud IAM semantics that do not depend on the file format a policy is written in: the AWS
//! action table (Service Authorization Reference) and the classification of grants that let an
//! identity widen its own rights or mint credentials for others (AWS, GCP, Azure). Terraform
//! (and later CloudFormation) feed it their statements and bindings.

pub mod actions;
pub mod aws;
pub mod escalation;
pub mod matching;

//! SAM policy templates (`Policies: [{S3ReadPolicy: {BucketName: b}}]`) expanded into the
//! statements SAM writes for them. Our own table of facts from AWS's public list of SAM policy
//! templates: for each template, its parameter and, per statement, the actions and the
//! resource pattern (`{p}` is the parameter's value, `{partition}`, `{region}`, `{account}`
//! the deployment's). Templates with no parameter (`VPCAccessPolicy`,
//! `CloudWatchPutMetricPolicy`, …) grant AWS's fixed choice of actions on `*` and are not
//! expanded; nor are templates not listed here.

/// A statement of a template: actions, resource patterns.
pub type Stmt = (&'static [&'static str], &'static [&'static str]);

/// (template, parameter names, statements).
pub type Template = (&'static str, &'static [&'static str], &'static [Stmt]);

const DDB_TABLE: &[&str] = &[
    "arn:{partition}:dynamodb:{region}:{account}:table/{0}",
    "arn:{partition}:dynamodb:{region}:{account}:table/{0}/index/*",
];
const S3_BUCKET: &[&str] = &["arn:{partition}:s3:::{0}", "arn:{partition}:s3:::{0}/*"];

pub const TEMPLATES: &[Template] = &[
    (
        "DynamoDBCrudPolicy",
        &["TableName"],
        &[(
            &[
                "dynamodb:GetItem",
                "dynamodb:DeleteItem",
                "dynamodb:PutItem",
                "dynamodb:Scan",
                "dynamodb:Query",
                "dynamodb:UpdateItem",
                "dynamodb:BatchWriteItem",
                "dynamodb:BatchGetItem",
                "dynamodb:DescribeTable",
                "dynamodb:ConditionCheckItem",
            ],
            DDB_TABLE,
        )],
    ),
    (
        "DynamoDBReadPolicy",
        &["TableName"],
        &[(
            &[
                "dynamodb:GetItem",
                "dynamodb:Scan",
                "dynamodb:Query",
                "dynamodb:BatchGetItem",
                "dynamodb:DescribeTable",
            ],
            DDB_TABLE,
        )],
    ),
    (
        "DynamoDBWritePolicy",
        &["TableName"],
        &[(
            &[
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:BatchWriteItem",
            ],
            DDB_TABLE,
        )],
    ),
    (
        "DynamoDBStreamReadPolicy",
        &["TableName", "StreamName"],
        &[
            (
                &[
                    "dynamodb:DescribeStream",
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                ],
                &["arn:{partition}:dynamodb:{region}:{account}:table/{0}/stream/{1}"],
            ),
            (
                &["dynamodb:ListStreams"],
                &["arn:{partition}:dynamodb:{region}:{account}:table/{0}/stream/*"],
            ),
        ],
    ),
    (
        "S3ReadPolicy",
        &["BucketName"],
        &[(
            &[
                "s3:GetObject",
                "s3:ListBucket",
                "s3:GetBucketLocation",
                "s3:GetObjectVersion",
                "s3:GetLifecycleConfiguration",
            ],
            S3_BUCKET,
        )],
    ),
    (
        "S3CrudPolicy",
        &["BucketName"],
        &[(
            &[
                "s3:GetObject",
                "s3:ListBucket",
                "s3:GetBucketLocation",
                "s3:GetObjectVersion",
                "s3:PutObject",
                "s3:PutObjectAcl",
                "s3:GetLifecycleConfiguration",
                "s3:PutLifecycleConfiguration",
                "s3:DeleteObject",
            ],
            S3_BUCKET,
        )],
    ),
    (
        "S3WritePolicy",
        &["BucketName"],
        &[(
            &[
                "s3:PutObject",
                "s3:PutObjectAcl",
                "s3:PutLifecycleConfiguration",
            ],
            S3_BUCKET,
        )],
    ),
    (
        "SQSSendMessagePolicy",
        &["QueueName"],
        &[(
            &["sqs:SendMessage*"],
            &["arn:{partition}:sqs:{region}:{account}:{0}"],
        )],
    ),
    (
        "SQSPollerPolicy",
        &["QueueName"],
        &[(
            &[
                "sqs:ChangeMessageVisibility",
                "sqs:ChangeMessageVisibilityBatch",
                "sqs:DeleteMessage",
                "sqs:DeleteMessageBatch",
                "sqs:GetQueueAttributes",
                "sqs:ReceiveMessage",
            ],
            &["arn:{partition}:sqs:{region}:{account}:{0}"],
        )],
    ),
    (
        "SNSPublishMessagePolicy",
        &["TopicName"],
        &[(
            &["sns:Publish"],
            &["arn:{partition}:sns:{region}:{account}:{0}"],
        )],
    ),
    (
        "LambdaInvokePolicy",
        &["FunctionName"],
        &[(
            &["lambda:InvokeFunction"],
            &["arn:{partition}:lambda:{region}:{account}:function:{0}*"],
        )],
    ),
    (
        "EventBridgePutEventsPolicy",
        &["EventBusName"],
        &[(
            &["events:PutEvents"],
            &["arn:{partition}:events:{region}:{account}:event-bus/{0}"],
        )],
    ),
    (
        "StepFunctionsExecutionPolicy",
        &["StateMachineName"],
        &[(
            &["states:StartExecution"],
            &["arn:{partition}:states:{region}:{account}:stateMachine:{0}"],
        )],
    ),
    (
        "AWSSecretsManagerGetSecretValuePolicy",
        &["SecretArn"],
        &[(&["secretsmanager:GetSecretValue"], &["{0}"])],
    ),
    (
        "SSMParameterReadPolicy",
        &["ParameterName"],
        &[
            (&["ssm:DescribeParameters"], &["*"]),
            (
                &[
                    "ssm:GetParameters",
                    "ssm:GetParameter",
                    "ssm:GetParametersByPath",
                ],
                &["arn:{partition}:ssm:{region}:{account}:parameter/{0}"],
            ),
        ],
    ),
    (
        "KMSDecryptPolicy",
        &["KeyId"],
        &[(
            &["kms:Decrypt"],
            &["arn:{partition}:kms:{region}:{account}:key/{0}"],
        )],
    ),
    (
        "KinesisStreamReadPolicy",
        &["StreamName"],
        &[
            (
                &["kinesis:ListStreams", "kinesis:DescribeLimits"],
                &["arn:{partition}:kinesis:{region}:{account}:stream/*"],
            ),
            (
                &[
                    "kinesis:DescribeStream",
                    "kinesis:DescribeStreamSummary",
                    "kinesis:GetRecords",
                    "kinesis:GetShardIterator",
                ],
                &["arn:{partition}:kinesis:{region}:{account}:stream/{0}"],
            ),
        ],
    ),
    (
        "SESCrudPolicy",
        &["IdentityName"],
        &[(
            &[
                "ses:GetIdentityVerificationAttributes",
                "ses:SendEmail",
                "ses:SendRawEmail",
                "ses:VerifyEmailIdentity",
            ],
            &["arn:{partition}:ses:{region}:{account}:identity/{0}"],
        )],
    ),
];

/// The template of this name.
pub fn find(name: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.0 == name)
}

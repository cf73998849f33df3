package main

import "github.com/aws/aws-sdk-go-v2/credentials"

func provider() credentials.StaticCredentialsProvider {
	return credentials.NewStaticCredentialsProvider("AKIAMNMJKYUTP3PIFYCS", "a/5a8RCz2T94iryXYTQKWsNZEt0r6zjmxMSUf8Ri", "")
}

client = OpenAI(api_key="sk-proj-8Om3Sapj3vhwX6sWgSEorOBb-E7CBCz17kBWkI_xT3BlbkFJO-BEujKUloWbzZqDorkmfRF0PNn1vswFZTkAQQcu")

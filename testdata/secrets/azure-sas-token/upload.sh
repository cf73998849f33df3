azcopy copy ./dist "https://acmedata.blob.core.windows.net/web?sv=2022-11-02&ss=b&srt=co&sp=rwdlac&se=2030-01-01T00:00:00Z&sig=QH4VoZFcYiO1/lbrmMOLYXxgpOC1ADU5dzcd4SY4gDL%3D"

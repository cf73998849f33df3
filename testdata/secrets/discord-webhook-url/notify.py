HOOK = "https://discord.com/api/webhooks/926549927528114868/yuTiA-xZAZCKO2r1cCm3es4OaxUmiexzjpevlVqb8f4sKaKA69GhN6Fd_9CgR2A1WxbL"

curl -s "https://api.telegram.org/bot6797218427:AAsBu_ZsC0vOhcm_6TeojtcnT7TOHHqHzrq/sendMessage" -d chat_id=42

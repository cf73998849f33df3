git remote add mirror https://oauth2:glpat-Y73H4f7TZmWUyZ5yseZ6@gitlab.com/acme/app.git

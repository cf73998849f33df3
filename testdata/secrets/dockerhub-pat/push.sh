echo dckr_pat_qKmjvQMUmlMD3ANXHeaz4UVhfY3 | docker login -u acme --password-stdin

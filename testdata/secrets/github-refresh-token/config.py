GITHUB_TOKEN = "ghr_NLwvDlePFfx39sp4VWI1TX0Iwf2N0EjO5spm"  # checksum does not hold: still reported, medium confidence

folder('billing') {
  properties {
    folderCredentialsProperty {
      domainCredentials {
        domainCredentials {
          credentials {
            usernamePassword {
              id('deploy')
              username('deployer')
              password('Wm4-Kq8v-Rt2z')
            }
            usernamePassword {
              id('from-env')
              username('deployer')
              password('${DEPLOY_PASSWORD}')
            }
          }
        }
      }
    }
  }
}
multibranchPipelineJob('billing/pr') {
  configure { node ->
    def traits = node / sources / data / 'jenkins.branch.BranchSource' / source / traits
    traits << 'org.jenkinsci.plugin.gitea.ForkPullRequestDiscoveryTrait' {
      trust(class: 'org.jenkinsci.plugin.gitea.ForkPullRequestDiscoveryTrait$TrustEveryone')
    }
  }
}
job('billing/publish') {
  wrappers {
    credentialsBinding {
      string('NPM_TOKEN', 'npm')
    }
  }
  steps {
    shell('''npm ci
npm publish''')
  }
}

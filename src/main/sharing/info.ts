import type { SharingInfo, SharingStep } from '@shared/model/sharing'

/*
 * The exact steps another machine takes to use this registry: trust the CA (Docker, Podman,
 * containerd/k3s, the OS), log in, pull and push, run it on Swarm and Kubernetes. Pure text from
 * the facts given, so `berth share info`, the window and the tests all print the same commands.
 */

export interface InfoFacts {
  /** `host:port` another machine uses. */
  address: string
  addresses: string[]
  shared: boolean
  scheme: 'http' | 'https'
  authRequired: boolean
  anonymousPull: boolean
  /** Berth's CA, when the certificate is Berth's; null for plain HTTP or a certificate of your own. */
  caPem: string | null
  /** An image to show in the examples. */
  image: { repository: string; tag: string }
  warnings?: string[]
}

const CA_FILE = 'berth-ca.crt'

function trustSteps(a: string): SharingStep[] {
  return [
    {
      id: 'ca',
      title: 'Copy Berth\'s CA to the other machine',
      note: 'Print it here and carry the file over: it is public, only its key (which stays here) is secret.',
      commands: [`berth tls ca > ${CA_FILE}`, `scp ${CA_FILE} other-host:`]
    },
    {
      id: 'docker-ca',
      title: 'Docker: trust the CA for this registry only',
      note: 'dockerd reads certs.d at every connection: no restart. On Docker Desktop (macOS, Windows) add the CA to the system trust store instead (below) and restart Docker Desktop.',
      commands: [`sudo mkdir -p /etc/docker/certs.d/${a}`, `sudo cp ${CA_FILE} /etc/docker/certs.d/${a}/ca.crt`]
    },
    {
      id: 'podman-ca',
      title: 'Podman, Buildah, Skopeo: trust the CA for this registry',
      note: 'Rootless: ~/.config/containers/certs.d/ works too.',
      commands: [`sudo mkdir -p /etc/containers/certs.d/${a}`, `sudo cp ${CA_FILE} /etc/containers/certs.d/${a}/ca.crt`]
    },
    {
      id: 'containerd-ca',
      title: 'containerd (Kubernetes nodes): hosts.toml',
      note: 'Needs config_path = "/etc/containerd/certs.d" under [plugins."io.containerd.grpc.v1.cri".registry] in /etc/containerd/config.toml (then restart containerd once).',
      commands: [
        `sudo mkdir -p /etc/containerd/certs.d/${a}`,
        `sudo cp ${CA_FILE} /etc/containerd/certs.d/${a}/ca.crt`,
        `sudo tee /etc/containerd/certs.d/${a}/hosts.toml <<'EOF'\nserver = "https://${a}"\n\n[host."https://${a}"]\n  capabilities = ["pull", "resolve", "push"]\n  ca = "/etc/containerd/certs.d/${a}/ca.crt"\nEOF`
      ]
    },
    {
      id: 'k3s',
      title: 'k3s / RKE2: registries.yaml',
      note: 'Restart k3s (sudo systemctl restart k3s, or k3s-agent on agents) after writing it; every node needs it.',
      commands: [
        `sudo cp ${CA_FILE} /etc/rancher/k3s/${CA_FILE}`,
        `sudo tee /etc/rancher/k3s/registries.yaml <<'EOF'\nconfigs:\n  "${a}":\n    auth:\n      username: <account>\n      password: <password>\n    tls:\n      ca_file: /etc/rancher/k3s/${CA_FILE}\nEOF`
      ]
    },
    {
      id: 'os-trust',
      title: 'Or trust it system-wide (curl, browsers, Docker Desktop)',
      commands: [
        `# Debian, Ubuntu\nsudo cp ${CA_FILE} /usr/local/share/ca-certificates/${CA_FILE} && sudo update-ca-certificates`,
        `# Fedora, RHEL\nsudo cp ${CA_FILE} /etc/pki/ca-trust/source/anchors/${CA_FILE} && sudo update-ca-trust`,
        `# macOS\nsudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${CA_FILE}`,
        `# Windows (an administrator PowerShell)\ncertutil -addstore -f Root ${CA_FILE}`
      ]
    }
  ]
}

function insecureSteps(a: string): SharingStep[] {
  return [
    {
      id: 'docker-insecure',
      title: 'Docker: allow plain HTTP for this registry',
      note: 'Merge the key into /etc/docker/daemon.json (keep the other keys; `berth doctor --registry` on that machine prints the merged file), then restart the engine: running containers stop unless "live-restore" is on.',
      commands: [`{ "insecure-registries": ["${a}"] }`, 'sudo systemctl restart docker']
    },
    {
      id: 'podman-insecure',
      title: 'Podman: allow plain HTTP for this registry',
      commands: [`sudo tee -a /etc/containers/registries.conf <<'EOF'\n[[registry]]\nlocation = "${a}"\ninsecure = true\nEOF`]
    }
  ]
}

export function sharingInfo(facts: InfoFacts): SharingInfo {
  const a = facts.address
  const ref = `${a}/${facts.image.repository}:${facts.image.tag}`
  const tlsFlag = facts.scheme === 'https' ? '' : ' --tls-verify=false'
  const steps: SharingStep[] = []
  if (facts.scheme === 'https' && facts.caPem) steps.push(...trustSteps(a))
  if (facts.scheme === 'http' && facts.shared) steps.push(...insecureSteps(a))
  if (facts.authRequired)
    steps.push({
      id: 'login',
      title: 'Log in with an account',
      note: facts.anonymousPull
        ? 'Pulls work without an account for curl, skopeo and podman; the docker CLI always sends one once it has seen the registry ask, so log in there too (a pull account is enough).'
        : 'Accounts are made on the registry\'s machine: berth users add <name> --role pull|push|admin --password-stdin.',
      commands: [`docker login ${a}`, `echo "$PASSWORD" | docker login ${a} --username <account> --password-stdin`, `podman login${tlsFlag} ${a}`]
    })
  steps.push({
    id: 'pull-push',
    title: 'Pull and push',
    commands: [`docker pull ${ref}`, `docker tag ${facts.image.repository.split('/').pop()}:${facts.image.tag} ${ref}`, `docker push ${ref}`]
  })
  steps.push({
    id: 'curl',
    title: 'Look at it with curl',
    commands: [`curl${facts.scheme === 'https' && facts.caPem ? ` --cacert ${CA_FILE}` : ''}${facts.authRequired ? ' -u <account>' : ''} ${facts.scheme}://${a}/v2/_catalog`]
  })
  steps.push({
    id: 'swarm',
    title: 'Docker Swarm: run it as a service',
    note: `--with-registry-auth hands your login to the nodes that run the task. Every node needs to reach ${a}${facts.scheme === 'https' ? ' and have the CA in its certs.d (above)' : ' and allow it in insecure-registries'}.`,
    commands: [`docker service create --with-registry-auth --name web ${ref}`]
  })
  const secret = 'berth-registry'
  const pod = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: ${ref}`
  steps.push({
    id: 'kubernetes',
    title: 'Kubernetes: an imagePullSecret and a Pod',
    note: `The nodes' container runtime must trust ${a} (containerd or k3s step above).`,
    commands: facts.authRequired
      ? [
          `kubectl create secret docker-registry ${secret} --docker-server=${a} --docker-username=<account> --docker-password=<password>`,
          `${pod}\n  imagePullSecrets:\n    - name: ${secret}`
        ]
      : [pod]
  })
  return {
    address: a,
    addresses: facts.addresses,
    shared: facts.shared,
    scheme: facts.scheme,
    authRequired: facts.authRequired,
    anonymousPull: facts.anonymousPull,
    caPem: facts.caPem,
    steps,
    warnings: facts.warnings ?? []
  }
}

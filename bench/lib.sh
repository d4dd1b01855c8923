# Shell helpers shared by the bench scripts (sourced).

# wait_for_kube_dns PORT PID: waits (up to 10 min) until the server PID answers
# kube-dns.kube-system.svc.cluster.local A with a 10.x address on 127.0.0.1:PORT; fails when
# the process ends first or the time runs out.
wait_for_kube_dns() {
  local port=$1 pid=$2
  for _ in $(seq 1 2400); do
    kill -0 "$pid" 2>/dev/null || return 1
    if dig @127.0.0.1 -p "$port" +short +tries=1 +time=1 kube-dns.kube-system.svc.cluster.local A | grep -q '^10\.'; then
      return 0
    fi
    sleep 0.25
  done
  return 1
}

#!/bin/sh
# Certificates for transport TLS between the nodes of the three-node cluster (Elasticsearch refuses to form
# a multi-node cluster with security on and transport TLS off). Run once, as root, by the `es-certs` job of
# docker-compose.cluster.yml, into the shared `es-certs` volume; re-runs keep what is there.
#   usage: sherloc-es-certs [NODE...]   (default: es01 es02 es03)
set -eu

certs=/usr/share/elasticsearch/config/certs
[ "$#" -gt 0 ] || set -- es01 es02 es03
cd /usr/share/elasticsearch

if [ ! -f "$certs/ca/ca.crt" ]; then
    echo "creating the cluster's certificate authority"
    bin/elasticsearch-certutil ca --silent --pem --out "$certs/ca.zip"
    unzip -q -o "$certs/ca.zip" -d "$certs"
    rm "$certs/ca.zip"
fi

missing=""
for node in "$@"; do
    [ -f "$certs/$node/$node.crt" ] || missing="$missing $node"
done
if [ -n "$missing" ]; then
    echo "creating node certificates for:$missing"
    instances="$certs/instances.yml"
    echo "instances:" > "$instances"
    for node in $missing; do
        printf '  - name: %s\n    dns: [%s, localhost]\n    ip: [127.0.0.1]\n' "$node" "$node" >> "$instances"
    done
    bin/elasticsearch-certutil cert --silent --pem --in "$instances" --out "$certs/nodes.zip" \
        --ca-cert "$certs/ca/ca.crt" --ca-key "$certs/ca/ca.key"
    unzip -q -o "$certs/nodes.zip" -d "$certs"
    rm "$certs/nodes.zip" "$instances"
fi

# Readable by the elasticsearch user (uid 1000, group 0) only.
chown -R 1000:0 "$certs"
find "$certs" -type d -exec chmod 750 {} +
find "$certs" -type f -exec chmod 640 {} +
echo "certificates are in place"

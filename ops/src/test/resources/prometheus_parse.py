# Parses a Prometheus text exposition from standard input with the official Python client's parser
# (Debian's python3-prometheus-client) and prints what it understood, one record per line, fields
# separated by the unit separator (0x1f):
#   F <family name> <type> <help>
#   S <family name> <sample name> <labels as k=v joined by 0x1e> <value>
import sys
from prometheus_client.parser import text_string_to_metric_families

US = "\x1f"
RS = "\x1e"
for family in text_string_to_metric_families(sys.stdin.read()):
    print(US.join(["F", family.name, family.type, family.documentation.replace("\n", " ")]))
    for sample in family.samples:
        labels = RS.join(k + "=" + v for k, v in sorted(sample.labels.items()))
        print(US.join(["S", family.name, sample.name, labels, repr(sample.value)]))

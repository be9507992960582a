"""Lists ops named in the generated dialect reference that a test lacks."""
import os
import re
import sys

doc, test = sys.argv[1], sys.argv[2]
ops = sorted(set(re.findall(r"^### `(cim\.\w+)`", open(doc).read(), re.M)))
text = open(test).read()
missing = [op for op in ops if not re.search(r"\b" + re.escape(op) + r"\b", text)]
if not ops:
    sys.exit("no ops found in " + doc)
if missing:
    sys.exit("not round-tripped in %s: %s" % (os.path.basename(test), ", ".join(missing)))
print("%d ops defined, all round-tripped in %s" % (len(ops), os.path.basename(test)))

#!/usr/bin/python3
"""check_zip.py ZIP: the Lambda zip's layout, as provided.al2023 needs it.

`bootstrap` at the top, a regular executable file; the libraries it needs
under lib/ (jansson, libcurl, OpenSSL at least); none of glibc's, which
must come from Lambda's own system; nothing else.
"""
import stat
import sys
import zipfile

z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
problems = []
mode = z.getinfo("bootstrap").external_attr >> 16 if "bootstrap" in names else 0
if not (stat.S_ISREG(mode) and mode & 0o111):
    problems.append("bootstrap is not an executable file in the zip (mode %o)" % mode)
for want in ("lib/libjansson.so.4", "lib/libcurl.so.4", "lib/libcrypto.so.3", "lib/libssl.so.3"):
    if want not in names:
        problems.append(want + " is missing")
for glibc in ("lib/libc.so.6", "lib/libm.so.6", "lib/ld-linux-x86-64.so.2", "lib/libpthread.so.0"):
    if glibc in names:
        problems.append(glibc + " is in the zip; it must come from Lambda's own glibc")
stray = [n for n in names if n != "bootstrap" and not n.startswith("lib/")]
if stray:
    problems.append("unexpected files: %s" % stray)
for p in problems:
    print("FAIL zip: " + p)
if not problems:
    print("ok   zip: bootstrap (mode %o) and %d libraries in lib/"
          % (mode & 0o777, len([n for n in names if n.startswith("lib/") and not n.endswith("/")])))
sys.exit(1 if problems else 0)

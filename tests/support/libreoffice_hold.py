"""Holds a workbook open in a real LibreOffice, as a person with it open in Calc would.

Usage: libreoffice_hold.py PORT PATH. Connects to `soffice --accept=socket,...,port=PORT`, opens
PATH (LibreOffice writes its lock file `.~lock.NAME#`), prints "opened", waits for a line on
stdin, closes the document (LibreOffice removes the lock file), prints "closed" and ends soffice.
"""
import sys
import time

import uno
from com.sun.star.beans import PropertyValue

port, path = sys.argv[1], sys.argv[2]
local = uno.getComponentContext()
resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
context = None
for _ in range(600):
    try:
        context = resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
        break
    except Exception:
        time.sleep(0.1)
if context is None:
    sys.exit("LibreOffice did not answer on port " + port)
desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
hidden = PropertyValue()
hidden.Name = "Hidden"
hidden.Value = True
document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, (hidden,))
print("opened", flush=True)
sys.stdin.readline()
document.close(True)
print("closed", flush=True)
try:
    desktop.terminate()
except Exception:
    pass

# Reading probe: sentences written 2026-12-01 after the lexicons, never used to tune them; run from the repository root after a release build:
#   python3 scripts/probes/reading-probe.py
import json, subprocess, collections
tot=collections.Counter(); ok=collections.Counter(); fails=[]
for line in open('scripts/probes/reading-probe.txt'):
    lang, s, *want = line.strip().split('|')
    r = json.loads(subprocess.run(['target/release/retouch','read',s,'--json'],capture_output=True,text=True).stdout)
    got=set()
    for q in r['requests']:
        t=q['target']; a=t['attr'] if isinstance(t['attr'],str) else 'style:'+t['attr']['style']
        got.add(f"{a}:{t['dir']}"+(f"@{t['region']}" if t.get('region') else ''))
    for f in r['fixes']: got.add('fix:'+f['aspect'])
    for k in r['keep']: got.add('keep:'+k)
    if r['generic']: got.add('generic')
    # Followed when every wanted item is read (for alternatives separated by the same line, any of the first).
    good = all(w in got for w in want) if not (len(want)==2 and want[0].startswith('saturation') and want[1].startswith('style')) else any(w in got for w in want)
    tot[lang]+=1; ok[lang]+=good
    if not good: fails.append((s, want, sorted(got)))
print({l:f"{ok[l]}/{tot[l]}" for l in tot}, f"all {sum(ok.values())}/{sum(tot.values())}")
for f in fails: print(f)

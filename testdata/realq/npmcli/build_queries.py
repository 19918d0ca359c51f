#!/usr/bin/env python3
"""Build queries.jsonl for the npmcli realq set.

usage: build_queries.py [CORPUS_LIB_DIR [OUT]]
       (default corpus: /tmp/realq-npm/corpus, as laid out by setup.sh)

The questions and their targets (file, name, grade) are written by hand
below. This script only resolves each target's declaration line, closing
brace line and leading comment block (doc_line) in the npm@11.19.1 lib/
directory, so the line numbers are not typed by hand. verify.py checks
the result independently.
"""
import json
import os
import re
import sys

# (style, query, [(file, name, grade), ...])
Q = [
    # 1
    ("nl", "why does npm refuse to wipe my whole package cache unless I pass force",
     [("commands/cache.js", "Cache.clean", 2)]),
    ("nl", "how often does npm chek whether a newer version of itself is out, and where does it remember when it last looked",
     [("cli/update-notifier.js", "updateNotifier", 2),
      ("cli/update-notifier.js", "updateCheck", 1)]),
    ("identifier", "what does logs-max=0 do, are old debug logs still deleted",
     [("utils/log-file.js", "LogFiles.load", 2),
      ("utils/log-file.js", "LogFiles.#cleanLogs", 2),
      ("npm.js", "Npm.exitErrorMessage", 1)]),
    ("nl", "what happens when my project's package.json pins the node or npm version required for development and my machine doesn't match",
     [("base-cmd.js", "BaseCommand.checkDevEngines", 2),
      ("utils/error-message.js", "errorMessage", 1)]),
    ("error", "npm error code ELSPROBLEMS\nnpm error invalid: react@17.0.2 /home/dev/app/node_modules/react",
     [("commands/ls.js", "LS.exec", 2),
      ("commands/ls.js", "getProblems", 2)]),
    ("nl", "with json output on, how are several printed results and an error merged into one json document",
     [("utils/display.js", "getJsonBuffer", 2),
      ("utils/display.js", "getArrayOrObject", 1)]),
    ("nl", "when globally upgrading npm itself, does it check that the new release supports my node version first",
     [("commands/install.js", "Install.exec", 2)]),
    ("maintenance", "where would I add a new shortcut command that just forwards to a package.json script, the way start and stop do",
     [("lifecycle-cmd.js", "LifecycleCmd", 2),
      ("commands/start.js", "Start", 1),
      ("commands/run.js", "RunScript.#run", 1)]),
    ("nl", "does a clean install delete node_modules before or after it checks the lock file matches package.json",
     [("commands/ci.js", "CI.exec", 2),
      ("utils/validate-lockfile.js", "validateLockfile", 1)]),
    ("identifier", "what ends up in the timing.json file when I run with --timing",
     [("utils/timers.js", "Timers.#writeFile", 2),
      ("utils/timers.js", "Timers.finish", 1),
      ("npm.js", "Npm.finish", 1)]),
    # 11
    ("nl", "where is the summary line like 'added 12 packages, removed 3 packages, and audited 200 packages in 3s' put together",
     [("utils/reify-output.js", "packagesChangedMessage", 2),
      ("utils/reify-output.js", "reifyOutput", 1)]),
    ("nl", "if the list of packages allowed to run install scripts is set both in package.json and in my .npmrc, which one wins",
     [("utils/resolve-allow-scripts.js", "resolveAllowScripts", 2),
      ("utils/resolve-allow-scripts.js", "policyFromSources", 1)]),
    ("error", 'Unknown command: "pubish"\n\nDid you mean this?\n  npm publish # Publish a package\nTo see a list of supported npm commands, run:\n  npm help',
     [("utils/error-message.js", "getError", 2),
      ("utils/did-you-mean.js", "didYouMean", 2),
      ("npm.js", "Npm.cmd", 1)]),
    ("nl", "which npmrc entries get printed as (protected) when listing the config, for example a token for a private registry host",
     [("commands/config.js", "isProtected", 2),
      ("commands/config.js", "Config.list", 1)]),
    ("identifier", "how does --expect-result-count change the exit code of npm query",
     [("base-cmd.js", "BaseCommand.checkExpected", 2),
      ("commands/query.js", "Query.#output", 1)]),
    ("nl", "does running a package script automatically run the matching pre and post hooks, and are my extra arguments passed to those too",
     [("commands/run.js", "RunScript.#run", 2)]),
    ("nl", "publishing from GitHub Actions without a stored token: how does npm swap the CI identity token for a registry token",
     [("utils/oidc.js", "oidc", 2),
      ("commands/publish.js", "Publish.#publish", 1)]),
    ("maintenance", "where would I add a new command that opens a link taken from a package's manifest in the browser, like the bugs or repo commands",
     [("package-url-cmd.js", "PackageUrlCommand", 2),
      ("commands/bugs.js", "Bugs.getUrl", 1),
      ("commands/repo.js", "Repo.getUrl", 1)]),
    ("nl", "in CI without a terminal, npm doesn't ask for my two-factor code and the publish just fails, why",
     [("utils/auth.js", "otplease", 2),
      ("utils/error-message.js", "errorMessage", 1)]),
    ("identifier", "what gets checked by --strict-allow-scripts before any install script runs",
     [("utils/strict-allow-scripts-preflight.js", "strictAllowScriptsPreflight", 2),
      ("commands/install.js", "Install.exec", 1)]),
    # 21
    ("nl", "if a publish setting is given on the command line and also in the package's publish configuration block, which one takes precedence",
     [("commands/publish.js", "Publish.#getManifest", 2),
      ("commands/unpublish.js", "Unpublish.exec", 1)]),
    ("error", "npm error Your cache folder contains root-owned files, due to a bug in previous versions of npm which has since been addressed.\nnpm error\nnpm error To permanently fix this problem, please run:\nnpm error   sudo chown -R 501:20 \"/Users/dev/.npm\"",
     [("utils/error-message.js", "errorMessage", 2)]),
    ("nl", "when showing a package's registry info, how are the dist tags ordered in the summary",
     [("commands/view.js", "View.#prettyView", 2)]),
    ("nl", "how can I set a package.json key that itself contains dots, like a version number, from the command line",
     [("utils/queryable.js", "parseKeys", 2),
      ("commands/pkg.js", "Pkg.set", 1)]),
    ("identifier", "what does --allow-scripts-pin=false change when approving a dependency's install scripts",
     [("utils/allow-scripts-writer.js", "applyApprovalForPackage", 2),
      ("utils/allow-scripts-cmd.js", "AllowScriptsCmd.writePolicyChanges", 2)]),
    ("nl", "bumping the version in every workspace at once: are git tags created, and does the root lockfile get updated afterwards",
     [("commands/version.js", "Version.changeWorkspaces", 2),
      ("utils/update-workspaces.js", "updateWorkspaces", 1)]),
    ("nl", "how does npm figure out that an abreviation or a misspelling like 'isntall' means install",
     [("utils/cmd-list.js", "deref", 2),
      ("npm.js", "Npm.cmd", 1)]),
    ("maintenance", "where do I add a new check to the environment doctor, for example one that validates the lockfile",
     [("commands/doctor.js", "Doctor.actions", 2),
      ("commands/doctor.js", "Doctor.exec", 2)]),
    ("nl", "wher does npm get the registry's public keys for verifying package signatures, and what happens when TUF doesn't have them",
     [("utils/verify-signatures.js", "VerifySignatures.setKeys", 2)]),
    ("identifier", "npm config fix: what kind of problems does it repair and where does it save them",
     [("commands/config.js", "Config.fix", 2)]),
    # 31
    ("nl", "when symlinking a local library into my app, does it get added to my package.json dependencies by default",
     [("commands/link.js", "Link.linkInstall", 2)]),
    ("error", "npm error Cannot implicitly apply the \"latest\" tag because previously published version 2.1.0 is higher than the new version 1.9.3. You must specify a tag using --tag.",
     [("commands/publish.js", "Publish.#publish", 2),
      ("commands/publish.js", "Publish.#registryVersions", 1)]),
    ("nl", "when I scaffold a project from an initializer name like react-app, how is that mapped to the create-react-app package, including scoped names",
     [("commands/init.js", "Init.execCreate", 2)]),
    ("nl", "when asking why a package is installed, how does npm avoid looping forever on circular dependencies",
     [("utils/explain-dep.js", "explainFrom", 2),
      ("utils/explain-dep.js", "explainDependents", 1)]),
    ("identifier", "npm update --depth 5 prints a warning, does the depth option still do anything",
     [("commands/update.js", "Update.exec", 2)]),
    ("nl", "when the browser can't be launched for a web login, does npm just print the link instead",
     [("utils/open-url.js", "openUrl", 2),
      ("utils/open-url.js", "openUrlPrompt", 1)]),
    ("nl", "opening the source repository page of a package hosted on a self-hosted git server that isn't github or gitlab: how is the web address worked out",
     [("commands/repo.js", "Repo.getUrl", 2),
      ("commands/repo.js", "unknownHostedUrl", 2)]),
    ("maintenance", "where would I add a new subcommand under the staged publishing command, say 'promote'",
     [("commands/stage/index.js", "Stage", 2),
      ("npm.js", "Npm.execCommandClass", 1)]),
    ("nl", "how does npm stop terminal control characters in package metadata from messing up my terminal while still allowing colors",
     [("utils/format.js", "STRIP_C01", 2),
      ("utils/format.js", "formatWithOptions", 1)]),
    ("identifier", "how is --searchexclude applied, and can it take a /regex/",
     [("utils/format-search-stream.js", "filter", 2),
      ("commands/search.js", "Search.exec", 1)]),
    # 41
    ("nl", "how does the bill of materials command decide which packages to include when I omit dev dependencies or pick a single workspace",
     [("commands/sbom.js", "SBOM.#buildSelector", 2)]),
    ("error", "npm error code ERESOLVE\nnpm error ERESOLVE unable to resolve dependency tree\nnpm error Fix the upstream dependency conflict, or retry this command with --force or --legacy-peer-deps to accept an incorrect (and potentially broken) dependency resolution.",
     [("utils/explain-eresolve.js", "report", 2),
      ("utils/explain-eresolve.js", "explain", 1),
      ("utils/error-message.js", "errorMessage", 1)]),
    ("nl", "running a css-like selector over my dependency tree with the isolated store layout, how does npm avoid listing the same package twice",
     [("commands/query.js", "Query.#queryTree", 2),
      ("commands/query.js", "locationRank", 1)]),
    ("nl", "recompiling native addons for one named package: does it skip bundled copies that have the same name",
     [("commands/rebuild.js", "Rebuild.isNode", 2),
      ("commands/rebuild.js", "Rebuild.exec", 1)]),
    ("identifier", "npm help --viewer: how are the browser and woman viewers handled",
     [("commands/help.js", "Help.viewMan", 2),
      ("commands/help.js", "Help.htmlMan", 1)]),
    ("nl", "comparing my working copy against what's published with no arguments: which registry version does it compare to",
     [("commands/diff.js", "Diff.retrieveSpecs", 2)]),
    ("maintenance", "where should I add handling for a new error code so users get a friendly explanation instead of the raw message",
     [("utils/error-message.js", "errorMessage", 2),
      ("utils/error-message.js", "getError", 1)]),
    ("nl", "after I hand-edit an installed dependency in my editor, does npm rebuild it afterwards",
     [("commands/edit.js", "Edit.exec", 2)]),
    ("nl", "when npm prompts for my two-factor code, is it ok to paste it with spaces, and what input makes it ask again",
     [("utils/read-user-info.js", "readOTP", 2)]),
    ("identifier", "npm fund --which=2, how does it pick which funding link to open",
     [("commands/fund.js", "Fund.openFundingUrl", 2),
      ("commands/fund.js", "Fund.exec", 1)]),
    # 51
    ("nl", "why is the security audit switched off when I install packages globally",
     [("arborist-cmd.js", "ArboristCmd.constructor", 2)]),
    ("nl", "can I select a workspace by folder path or a glob instead of its package name",
     [("utils/get-workspaces.js", "getWorkspaces", 2),
      ("base-cmd.js", "BaseCommand.setWorkspaces", 1)]),
    ("error", "npm error code EOWNERRM\nnpm error Cannot remove all owners of a package. Add someone else first.",
     [("commands/owner.js", "Owner.changeOwners", 2)]),
    ("nl", "turning on two-factor auth while my npmrc only has a username and password: does npm switch me to a bearer token first",
     [("commands/profile.js", "Profile.enable2fa", 2)]),
    ("identifier", "with auth-type=web, what happens on login when the registry doesn't support browser-based login",
     [("utils/auth.js", "login", 2),
      ("utils/auth.js", "adduser", 1),
      ("commands/login.js", "Login.exec", 1)]),
    ("nl", "setting up a trusted publisher: how is the repository inferred from package.json, and what if it points to a different git host",
     [("trust-cmd.js", "TrustCommand.flagsToOptions", 2),
      ("trust-cmd.js", "TrustCommand.getRepositoryFromPackageJson", 1)]),
    ("maintenance", "where would I add a new column, say the publish date, to the table listing stale dependencies",
     [("commands/outdated.js", "Outdated.#pretty", 2),
      ("commands/outdated.js", "Outdated.#getOutdatedInfo", 1),
      ("commands/outdated.js", "Outdated.#json", 1)]),
    ("nl", "in the tarball contents listing, why do README and LICENSE come before other files, and how are bundled dependencies spotted",
     [("utils/tar.js", "getContents", 2),
      ("utils/tar.js", "logTar", 1)]),
    ("identifier", "npm token create --cidr with an IPv6 range fails, which ranges are accepted",
     [("commands/token.js", "Token.validateCIDRList", 2),
      ("commands/token.js", "Token.create", 1)]),
    ("nl", "when I download a staged release to inspect it, what is the saved file called and how is its package.json read",
     [("commands/stage/download.js", "StageDownload.exec", 2),
      ("commands/stage/download.js", "StageDownload.#readManifestFromTarball", 1)]),
]

COMMENT = re.compile(r'^\s*(//|/\*|\*)')


def find_class(lines, cls):
    hits = [i for i, l in enumerate(lines) if re.match(r'^(\s*)class\s+' + re.escape(cls) + r'\b', l)]
    if len(hits) != 1:
        raise SystemExit(f'class {cls}: {len(hits)} matches')
    return hits[0]


def closing(lines, start):
    ind = re.match(r'^(\s*)', lines[start]).group(1)
    pat = re.compile('^' + re.escape(ind) + r'\}[\);,]*\s*$')
    for j in range(start + 1, len(lines)):
        if pat.match(lines[j]):
            return j
    raise SystemExit(f'no closing brace for line {start + 1}')


def locate(lines, name):
    if '.' in name:
        cls, meth = name.split('.', 1)
        ci = find_class(lines, cls)
        ce = closing(lines, ci)
        cind = len(re.match(r'^(\s*)', lines[ci]).group(1))
        pat = re.compile(r'^' + ' ' * (cind + 2) +
                         r'(static\s+)?(async\s+)?(get\s+|set\s+)?\*?' + re.escape(meth) + r'\s*\(')
        hits = [i for i in range(ci + 1, ce) if pat.match(lines[i])]
        if len(hits) != 1:
            raise SystemExit(f'{name}: {len(hits)} method matches')
        return hits[0]
    pats = [r'^\s*(async\s+)?function\s*\*?\s*' + re.escape(name) + r'\s*\(',
            r'^\s*(const|let|var)\s+' + re.escape(name) + r'\s*=',
            r'^\s*class\s+' + re.escape(name) + r'\b']
    hits = [i for i, l in enumerate(lines) if any(re.match(p, l) for p in pats)]
    if len(hits) != 1:
        raise SystemExit(f'{name}: {len(hits)} matches')
    return hits[0]


def doc_start(lines, i):
    j = i - 1
    while j >= 0 and COMMENT.match(lines[j]):
        j -= 1
    return j + 1 if j + 1 < i else None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else '/tmp/realq-npm/corpus'
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), 'queries.jsonl')
    cache = {}
    rows = []
    for n, (style, query, targets) in enumerate(Q, 1):
        ts = []
        for f, name, grade in targets:
            if f not in cache:
                with open(os.path.join(root, f), encoding='utf-8') as fh:
                    cache[f] = fh.read().split('\n')
            lines = cache[f]
            i = locate(lines, name)
            e = closing(lines, i)
            t = {'file': f, 'name': name, 'line': i + 1, 'end_line': e + 1, 'grade': grade}
            d = doc_start(lines, i)
            if d is not None:
                t['doc_line'] = d + 1
            ts.append(t)
        rows.append({'id': f'n{n:03d}', 'query': query, 'style': style, 'targets': ts})
    with open(out, 'w', encoding='utf-8') as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + '\n')
    print(f'wrote {len(rows)} queries to {out}')


if __name__ == '__main__':
    main()

// The VS Code side: starts `authlint lsp` through vscode-languageclient and
// wires settings and commands. The decisions (where the server is, what the
// settings mean) live in ./lookup and ./settings, which are unit-tested.

import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";
import { describeAttempts, describeFound, findServer, needsShell, summarizeFailure } from "./lookup";
import {
  changeNeedsRestart,
  FIX_ALL_KIND as FIX_ALL,
  LANGUAGES,
  SECTION,
  toServerSettings,
  type ServerSettings,
} from "./settings";

const FIX_ALL_KIND = vscode.CodeActionKind.Empty.append(FIX_ALL);

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let extensionPath: string;
/** Problems already reported, so a setting is not complained about on every request. */
const reported = new Set<string>();
/** Start/stop/restart run one at a time, in order. */
let queue: Promise<void> = Promise.resolve();

function serialized(task: () => Promise<void>): Promise<void> {
  queue = queue.then(task, task).catch((e) => output.error(`authlint: ${String(e)}`));
  return queue;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionPath = context.extensionPath;
  output = vscode.window.createOutputChannel("authlint", { log: true });
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("authlint.restartServer", () => serialized(restart)),
    vscode.commands.registerCommand("authlint.fixAll", fixAll),
    vscode.commands.registerCommand("authlint.showOutput", () => output.show(true)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // Server settings are pushed by the client's configuration sync (see
      // the middleware below); only a new executable needs a restart.
      if (changeNeedsRestart((k) => e.affectsConfiguration(k))) {
        output.info("authlint.path changed: restarting the server");
        void serialized(restart);
      }
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      // node_modules/.bin of a new folder may now hold the server; only
      // retry when none is running.
      if (client === undefined) {
        void serialized(start);
      }
    }),
  );
  await serialized(start);
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}

function folderPaths(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file").map((f) => f.uri.fsPath);
}

/** The server's settings for a resource (or the first folder / the window when undefined). */
function settingsFor(resource: vscode.Uri | undefined): ServerSettings {
  const folder =
    resource !== undefined ? vscode.workspace.getWorkspaceFolder(resource) : vscode.workspace.workspaceFolders?.[0];
  const scope = resource ?? folder?.uri;
  const { settings, problems } = toServerSettings(vscode.workspace.getConfiguration(SECTION, scope), {
    workspaceFolder: folder?.uri.scheme === "file" ? folder.uri.fsPath : undefined,
  });
  for (const p of problems) {
    if (!reported.has(p)) {
      reported.add(p);
      output.warn(p);
    }
  }
  return settings;
}

async function start(): Promise<void> {
  if (client !== undefined) {
    return;
  }
  const configuredPath = vscode.workspace.getConfiguration(SECTION).get<string | null>("path");
  const lookupInput = {
    configuredPath,
    workspaceFolders: folderPaths(),
    extensionPath,
    env: process.env,
  };
  const result = findServer(lookupInput);
  output.info(`Looking for the authlint server:\n${describeAttempts(result.attempts)}`);
  if (result.found === undefined) {
    const summary = summarizeFailure(lookupInput, result.attempts);
    output.error(`No usable authlint executable. Tried:\n${describeAttempts(result.attempts)}`);
    void vscode.window
      .showErrorMessage(
        `authlint: no usable \`authlint\` executable found. Tried: ${summary}. Install authlint or set "authlint.path".`,
        "Open Settings",
        "Show Output",
      )
      .then((choice) => {
        if (choice === "Open Settings") {
          void vscode.commands.executeCommand("workbench.action.openSettings", "authlint.path");
        } else if (choice === "Show Output") {
          output.show(true);
        }
      });
    return;
  }
  if (configuredPath && result.found.source !== "setting") {
    const bad = result.attempts.filter((a) => a.source === "setting");
    const why = bad.map((a) => `${a.path}: ${a.problem}`).join("; ");
    output.warn(`authlint.path is set but unusable (${why}); using ${describeFound(result.found)}`);
    void vscode.window.showWarningMessage(
      `authlint: the authlint.path setting is unusable (${why}); using ${result.found.path} instead.`,
    );
  }
  output.info(`Starting ${describeFound(result.found)} lsp`);

  const command = result.found.path;
  const executable = { command, args: ["lsp"], options: { shell: needsShell(command) } };
  const serverOptions: ServerOptions = { run: executable, debug: executable };
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGES.flatMap((language) => [
      { scheme: "file", language },
      { scheme: "untitled", language },
    ]),
    diagnosticCollectionName: "authlint",
    outputChannel: output,
    traceOutputChannel: output,
    initializationOptions: settingsFor(undefined),
    // Makes the client forward changes under `authlint.*`; the middleware
    // below replaces VS Code's raw values with the server's shape.
    synchronize: { configurationSection: SECTION },
    middleware: {
      workspace: {
        configuration: async (params, token, next) => {
          const defaults = await next(params, token);
          if (!Array.isArray(defaults)) {
            return defaults;
          }
          return params.items.map((item, i) => {
            if (item.section !== SECTION) {
              return defaults[i];
            }
            const scope = item.scopeUri !== undefined ? vscode.Uri.parse(item.scopeUri) : undefined;
            return settingsFor(scope);
          });
        },
        didChangeConfiguration: async (sections, next) => {
          if (sections === undefined) {
            // Registered without a section: the server pulls with
            // workspace/configuration, answered above.
            return next(sections);
          }
          const c = client;
          if (c === undefined || !c.isRunning()) {
            return;
          }
          await c.sendNotification(DidChangeConfigurationNotification.type, {
            settings: { [SECTION]: settingsFor(undefined) },
          });
        },
      },
    },
  };

  const c = new LanguageClient("authlint", "authlint", serverOptions, clientOptions);
  client = c;
  try {
    await c.start();
  } catch (e) {
    client = undefined;
    output.error(`The authlint server failed to start: ${String(e)}`);
    void vscode.window.showErrorMessage(`authlint: the server (${command} lsp) failed to start.`, "Show Output").then(
      (choice) => {
        if (choice === "Show Output") {
          output.show(true);
        }
      },
    );
  }
}

async function stop(): Promise<void> {
  const c = client;
  client = undefined;
  if (c === undefined) {
    return;
  }
  try {
    await c.stop(2000);
  } catch (e) {
    output.warn(`Stopping the server: ${String(e)}`);
  }
}

async function restart(): Promise<void> {
  await stop();
  reported.clear();
  await start();
}

/** Applies `source.fixAll.authlint` to the active editor. */
async function fixAll(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) {
    void vscode.window.showInformationMessage("authlint: open a file to fix.");
    return;
  }
  const doc = editor.document;
  if (!(LANGUAGES as readonly string[]).includes(doc.languageId)) {
    void vscode.window.showInformationMessage(`authlint does not lint ${doc.languageId} files.`);
    return;
  }
  if (client === undefined) {
    void vscode.window.showErrorMessage("authlint: the server is not running.", "Show Output").then((c) => {
      if (c === "Show Output") {
        output.show(true);
      }
    });
    return;
  }
  const whole = new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length));
  const actions =
    (await vscode.commands.executeCommand<vscode.CodeAction[] | undefined>(
      "vscode.executeCodeActionProvider",
      doc.uri,
      whole,
      FIX_ALL_KIND.value,
      1,
    )) ?? [];
  const action = actions.find((a) => a.kind !== undefined && FIX_ALL_KIND.contains(a.kind));
  if (action === undefined) {
    void vscode.window.showInformationMessage("authlint: nothing to fix automatically in this file.");
    return;
  }
  if (action.edit !== undefined && !(await vscode.workspace.applyEdit(action.edit))) {
    void vscode.window.showErrorMessage("authlint: the fixes could not be applied (the file changed?).");
    return;
  }
  if (action.command !== undefined) {
    await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
  }
}

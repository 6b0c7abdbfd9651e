// The leadscore extension for VS Code: starts `leadscore lsp` for YAML
// files and leaves everything else to it (checks, completion, hover,
// definition, references, quick fixes, formatting, outline, test results).
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration('leadscore').get('path') || 'leadscore';
  client = new LanguageClient(
    'leadscore',
    'leadscore',
    { command, args: ['lsp'] },
    { documentSelector: [{ scheme: 'file', language: 'yaml' }] },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };

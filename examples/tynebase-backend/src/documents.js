'use strict';
// In-memory document store (the example stays dependency-free; a real deployment uses a database).
const documents = new Map([
  ['welcome', { id: 'welcome', title: 'Welcome to TyneBase', tags: ['intro'], updatedAt: '2024-01-15T09:00:00.000Z' }],
  ['deploy', { id: 'deploy', title: 'Deploying with containers', tags: ['ops', 'docker'], updatedAt: '2024-02-02T14:30:00.000Z' }],
]);

function listDocuments(tag) {
  const all = [...documents.values()];
  return tag ? all.filter((d) => d.tags.includes(tag)) : all;
}

function getDocument(id) {
  return documents.get(id);
}

module.exports = { listDocuments, getDocument };

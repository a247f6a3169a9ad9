import { ApiToken } from '../domain/tokens/api-token.entity.js';
import { Contact } from '../domain/contacts/contact.entity.js';
import { Document } from '../domain/documents/document.entity.js';
import { ExtractionProfile } from '../domain/profiles/extraction-profile.entity.js';
import { Folder } from '../domain/folders/folder.entity.js';

export const entities = [ApiToken, Contact, Folder, ExtractionProfile, Document];

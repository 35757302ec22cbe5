import type { SpecPath } from '../../spec/path';
import { isRecord, resourcesOf, type LintResource, type RuleMatch, type TemplateRule } from '../template-rule';

interface Claim {
  readonly file: string;
  readonly path: SpecPath;
  readonly kind: string;
}

/**
 * CloudFront aliases are unique across all of AWS: a second distribution claiming one fails with
 * CNAMEAlreadyExists. Two stacks (environments, regions) that issue a certificate for the same
 * name or write the same DNS record fight over the same validation and records, and in the zone
 * that is not delegated the certificate's validation never ends.
 */
export const duplicateEdgeNamesRule: TemplateRule = {
  id: 'GNT404',
  description: 'No two templates claim the same CloudFront alias, certificate name or DNS record',
  source: 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/CNAMEs.html#alternate-domain-names-restrictions',
  check(templates) {
    const claims = new Map<string, Claim[]>();
    const claim = (key: string, value: Claim) => claims.set(key, [...(claims.get(key) ?? []), value]);
    for (const template of templates) {
      const at = (resource: LintResource, path: SpecPath, kind: string): Claim => ({ file: template.file, path: ['Resources', resource.id, 'Properties', ...path], kind });
      for (const resource of resourcesOf(template, 'AWS::CloudFront::Distribution')) {
        const config = resource.properties.DistributionConfig;
        const aliases = isRecord(config) && Array.isArray(config.Aliases) ? config.Aliases : [];
        aliases.forEach((alias, i) => {
          if (typeof alias === 'string') claim(`alias ${norm(alias)}`, at(resource, ['DistributionConfig', 'Aliases', i], 'CloudFront alias'));
        });
      }
      for (const resource of resourcesOf(template, 'AWS::CertificateManager::Certificate')) {
        const name = resource.properties.DomainName;
        if (typeof name === 'string') claim(`certificate ${norm(name)}`, at(resource, ['DomainName'], 'certificate'));
      }
      for (const resource of resourcesOf(template, 'AWS::Route53::RecordSet')) {
        const { Name: name, Type: type, SetIdentifier: set } = resource.properties;
        if (typeof name === 'string' && typeof type === 'string' && set === undefined) claim(`record ${norm(name)} ${type}`, at(resource, ['Name'], `${type} record`));
      }
      for (const resource of resourcesOf(template, 'AWS::Route53::RecordSetGroup')) {
        const sets = resource.properties.RecordSets;
        (Array.isArray(sets) ? sets : []).forEach((set, i) => {
          if (!isRecord(set) || typeof set.Name !== 'string' || typeof set.Type !== 'string' || set.SetIdentifier !== undefined) return;
          claim(`record ${norm(set.Name)} ${set.Type}`, at(resource, ['RecordSets', i, 'Name'], `${set.Type} record`));
        });
      }
    }
    const matches: RuleMatch[] = [];
    for (const [key, found] of claims) {
      if (found.length < 2) continue;
      const name = key.split(' ')[1];
      for (const c of found) {
        const others = found.filter((o) => o !== c).map((o) => o.file);
        matches.push({ file: c.file, path: c.path, message: `${c.kind} ${name} is also claimed by ${[...new Set(others)].join(', ')}; only one stack can own it (give each environment its own domain)` });
      }
    }
    return matches;
  },
};

function norm(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

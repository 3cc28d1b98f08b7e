import { compileTemplate, isAlphanumericTemplate, renderTemplate, slug, TemplateError } from '../../src/rules';
import type { Employee } from '../../src/shared/hr-event';

const emp: Employee = {
  employeeId: 'E-42',
  email: 'José.Smith+it@Example.COM',
  givenName: 'José',
  familyName: "O'Neil",
  department: 'Engineering',
};

const render = (t: string, e: Employee = emp) => renderTemplate(compileTemplate(t), e);

describe('template language', () => {
  it.each([
    ['{{email}}', 'José.Smith+it@Example.COM'],
    ['{{email | lower}}', 'josé.smith+it@example.com'],
    ['{{email | upper}}', 'JOSÉ.SMITH+IT@EXAMPLE.COM'],
    ['{{email | localPart}}', 'José.Smith+it'],
    ['{{email | domain | lower}}', 'example.com'],
    ['{{email | localPart | slug}}', 'JoseSmithit'],
    ['{{email|localPart|slug|lower}}', 'josesmithit'],
    ['{{givenName}} {{familyName}}', "José O'Neil"],
    ['{{ familyName | slug }}', 'ONeil'],
    ['{{title}}', ''],
    ["{{title | default('Staff')}}", 'Staff'],
    ['{{title | default("Staff | Ops")}}', 'Staff | Ops'],
    ['{{title | default(department)}}', 'Engineering'],
    ['{{department | default("x")}}', 'Engineering'],
    ['{{employeeId | slug}}@corp', 'E42@corp'],
    ['  {{ title | trim }}  ', '    '],
    ['plain text', 'plain text'],
    ["{{title | default('it\\'s')}}", "it's"],
  ])('%s → %j', (template, expected) => {
    expect(render(template)).toBe(expected);
  });

  it.each([
    ['{{jobTitle}}', /unknown employee field "jobTitle"/],
    ['{{email | capitalize}}', /unknown filter "capitalize"/],
    ['{{email | lower(1)}}', /takes no argument/],
    ['{{email | default}}', /default needs an argument/],
    ['{{email | default(nope)}}', /quoted string .* or an employee field/],
    ['{{email', /without a matching "}}"/],
    ['email}}', /without a matching "{{"/],
    ['{{}}', /empty placeholder/],
    ['{{ {{email}} }}', /nested/],
  ])('refuses %s', (template, message) => {
    expect(() => compileTemplate(template)).toThrow(TemplateError);
    expect(() => compileTemplate(template)).toThrow(message);
  });

  it('slug keeps ASCII letters and digits only, folding accents', () => {
    expect(slug('Zoë-Ann_Smith.99+x@y')).toBe('ZoeAnnSmith99xy');
    expect(slug('李')).toBe('');
  });

  it.each([
    ['{{email | localPart | slug}}', true],
    ['{{email | localPart | slug | lower}}', true],
    ['{{givenName | slug}}{{familyName | slug}}', true],
    ['{{email | localPart}}', false],
    ['{{givenName | slug}}.{{familyName | slug}}', false],
    ["{{title | slug | default('a-b')}}", false],
    ["{{title | default('a-b') | slug}}", true],
  ])('isAlphanumericTemplate(%s) = %s', (template, expected) => {
    expect(isAlphanumericTemplate(compileTemplate(template))).toBe(expected);
  });
});

/** One XML writer for Autodiscover and autoconfig: fast-xml-parser's XMLBuilder, which escapes & < > " ' in text and attributes. */
import {XMLBuilder} from 'fast-xml-parser'

import {assertXmlTree} from './xml-text.js'

let builder: XMLBuilder | undefined

/** Attributes are keys starting with `@_`; arrays repeat the element. Output ends with a newline. */
export function buildXml(root: Record<string, unknown>, field: string): Buffer {
  assertXmlTree(root, field)
  builder ??= new XMLBuilder({ignoreAttributes: false, attributeNamePrefix: '@_', format: true, indentBy: '  ', suppressEmptyNode: true})
  const xml = builder.build({'?xml': {'@_version': '1.0', '@_encoding': 'utf-8'}, ...root}) as string
  return Buffer.from(xml.endsWith('\n') ? xml : `${xml}\n`, 'utf8')
}

import { BicepFile, BicepScope, type Value } from './bicepProgram.js';

const module = new BicepScope(new BicepFile('infra/main.bicep'), { environmentName: () => 'dev' }).module('workbook');

export interface WorkbookQuery {
  name: string;
  title: string;
  query: string;
  queryType: number;
}

/** The workbook as deployed for environment 'dev': serializedData with every placeholder filled. */
export function deployedWorkbook(): { text: string; queries: WorkbookQuery[] } {
  const text = module.value('serializedData') as Value;
  if (typeof text !== 'string') throw new Error('serializedData is not computable before deployment');
  const workbook = JSON.parse(text) as { items: { type: number; name: string; content: Record<string, unknown> }[] };
  const queries = workbook.items
    .filter((item) => item.type === 3)
    .map((item) => ({
      name: item.name,
      title: item.content.title as string,
      query: item.content.query as string,
      queryType: item.content.queryType as number,
    }));
  return { text, queries };
}

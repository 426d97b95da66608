/** The two captured hubs: model inputs (data drift) and scored records (prediction and performance drift). */
export type CapturedHub = 'events' | 'scored';

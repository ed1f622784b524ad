/** The charts leaders see (§6): which there are. */

/** Activities and volunteer hours by month; measure statuses by category. */
export type ChartKind = 'months' | 'categories';

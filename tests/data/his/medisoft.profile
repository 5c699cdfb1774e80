# medisoft.profile - the exports of the (fictional) MediSoft HIS 5, the worked
# example of docs/his-profiles.md: English headers, money in fen, GBK text,
# times written 20261120083000 in Beijing time.
[profile]
name = medisoft
encoding = gbk
date_format = YYYYMMDDhhmmss
timezone = +08:00
money_unit = fen
void_status = CANCELLED|VOID

[charges]
his_id = SerialNo
patient_id = CardNo|InpatientNo
patient_name = PatName
item_code = ItemCode
item_name = ItemName
qty = Qty
unit_price = Price
amount = Fee
occurred_at = ChargeTime
entered_at = EntryTime
operator = Operator
invoice_no = InvoiceNo
dept = DeptName
ref = Memo

[invoices]
# the invoice list prints its times another way
date_format = YYYY/M/D h:mm
invoice_no = InvoiceNo
status = State
amount = Total
operator = Operator
occurred_at = PrintTime
